package io.goim.comet.transport;

import io.goim.protocol.Packet;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;

/**
 * Writes the packets comet itself sends a client (replies to its ops, and op 6 when a
 * drain tells it to go) and counts them in {@code goim_comet_packets_written_total}: every
 * such write goes through here, so none is left uncounted. Pushes are pre-encoded bytes
 * that pass the codecs untouched; {@code LoopOutbox} counts their packets in the same
 * counter, once per pass and message rather than once per connection.
 *
 * <p>Thread-safe; one instance per comet.
 */
public final class Replies {
    private final Counter packetsWritten;

    public Replies(Counter packetsWritten) {
        this.packetsWritten = packetsWritten;
    }

    /** Writes and flushes {@code p} from {@code ctx}'s place in the pipeline. Event loop only. */
    public void write(ChannelHandlerContext ctx, Packet p) {
        packetsWritten.increment();
        ctx.writeAndFlush(p, ctx.voidPromise());
    }

    /** Writes and flushes {@code p} through the whole pipeline of {@code ch}. Event loop only. */
    public void write(Channel ch, Packet p) {
        packetsWritten.increment();
        ch.writeAndFlush(p, ch.voidPromise());
    }
}
