package io.goim.comet;

import io.goim.libs.protocol.PacketDecoder;
import io.goim.libs.protocol.PacketEncoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;

/**
 * The pipeline of a client TCP connection, used by the server and by tests alike:
 * <pre>
 *  bytes counter → [TLS] → PacketDecoder → PacketEncoder → backpressure
 *      → AuthHandler (replaced by SessionHandler after auth)
 * </pre>
 *
 * <p>Sharable: holds no per-channel state.
 */
final class TcpChannelInitializer extends ChannelInitializer<Channel> {
    private final CometContext comet;
    private final WrittenBytesCounter bytesCounter;
    private final SslContext tls;

    /** @param tls the server TLS context, or null for plain TCP */
    TcpChannelInitializer(CometContext comet, SslContext tls) {
        this.comet = comet;
        this.bytesCounter = new WrittenBytesCounter(comet.counters());
        this.tls = tls;
    }

    TcpChannelInitializer(CometContext comet) {
        this(comet, null);
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast("bytes", bytesCounter);
        if (tls != null) {
            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
        }
        ch.pipeline().addLast("decoder", new PacketDecoder(comet.config().maxBody()));
        ch.pipeline().addLast("encoder", PacketEncoder.INSTANCE);
        ch.pipeline().addLast("backpressure", new BackpressureHandler(comet));
        ch.pipeline().addLast("auth", new AuthHandler(comet));
    }
}
