package io.goim.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One decoded client packet: the header fields and the body. Reference counted through
 * its body; whoever consumes a packet releases it.
 *
 * <p>Not thread-safe; a packet belongs to the channel that decoded it.
 */
public final class Packet extends DefaultByteBufHolder {
    private final int ver;
    private final int op;
    private final int seq;

    public Packet(int ver, int op, int seq, ByteBuf body) {
        super(body);
        this.ver = ver;
        this.op = op;
        this.seq = seq;
    }

    /** Protocol version, echoed back in replies. */
    public int ver() {
        return ver;
    }

    /** Operation code, see {@link Op}. */
    public int op() {
        return op;
    }

    /** Sequence number chosen by the client. */
    public int seq() {
        return seq;
    }

    /** The body; owned by this packet. */
    public ByteBuf body() {
        return content();
    }

    @Override
    public Packet replace(ByteBuf content) {
        return new Packet(ver, op, seq, content);
    }

    @Override
    public String toString() {
        return "Packet(ver=" + ver + ", op=" + op + " " + Op.name(op) + ", seq=" + seq
                + ", body=" + content().readableBytes() + "B)";
    }
}
