package io.goim.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * goim's binary packets on a TCP stream, both ways: the one reader and writer of that wire
 * form, for comet, the client, bench and the tests. Layout: {@link Packets}; packets follow
 * each other with nothing between them:
 * <pre>
 *  | packet | packet | packet | ...      each: | length | 16 | ver | op | seq | body |
 *      a read may end inside a packet, or hold several
 * </pre>
 *
 * <ul>
 *   <li>In: every complete packet is fired as a {@link Packet} whose body is a slice of the
 *       read (no copy). Packets split over reads and several packets in one read are both
 *       handled. A packet length outside {@code [16, 16 + maxBody]} (checked as soon as the
 *       4 length bytes are there, before the body arrives) or a header length other than 16
 *       raises {@link ProtocolException} once, and every later byte is discarded: the
 *       handler behind closes the connection.</li>
 *   <li>Out: a {@link Packet} is encoded (and released); a {@code ByteBuf} (a push encoded
 *       once for many channels) passes through untouched.</li>
 *   <li>Removed from the pipeline while reading (a client that swaps in its own counter
 *       after auth), it hands the rest of that read on as bytes, as Netty's decoders do.</li>
 * </ul>
 *
 * <p>Why not Netty's {@code LengthFieldBasedFrameDecoder}: a comet holds tens of thousands
 * of idle connections, and {@code ByteToMessageDecoder} carries 96 bytes of state per
 * connection plus a pipeline context (56 bytes) for a separate encoder. This handler keeps
 * only the bytes of an incomplete packet, and only while one is incomplete: 24 bytes per
 * idle connection.
 *
 * <p>One instance per channel; event loop only. Not final: comet names its pipeline piece
 * after its role ({@code TcpPacketCodec}).
 */
public class PacketCodec extends ChannelDuplexHandler {
    private final int maxPacket;
    /** The start of a packet whose end has not arrived yet, or null. */
    private ByteBuf partial;
    /** After a protocol error the stream cannot be re-synchronised: everything else is discarded. */
    private boolean broken;

    /** @param maxBody the largest body accepted, in bytes (goim: {@link Packets#DEFAULT_MAX_BODY}) */
    public PacketCodec(int maxBody) {
        if (maxBody < 0) {
            throw new IllegalArgumentException("maxBody: " + maxBody + " (expected: >= 0)");
        }
        this.maxPacket = Packets.HEADER_LENGTH + maxBody;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (broken) {
            in.release();
            return;
        }
        ByteBuf buf = in;
        if (partial != null) {
            buf = ctx.alloc().buffer(partial.readableBytes() + in.readableBytes());
            buf.writeBytes(partial).writeBytes(in);
            partial.release();
            partial = null;
            in.release();
        }
        try {
            decode(ctx, buf);
            if (buf.isReadable() && !broken) {
                if (ctx.isRemoved()) {
                    ctx.fireChannelRead(buf.readRetainedSlice(buf.readableBytes()));
                } else {
                    // Copied, so an incomplete packet does not hold a whole read buffer.
                    partial = ctx.alloc().buffer(buf.readableBytes()).writeBytes(buf);
                }
            }
        } catch (ProtocolException e) {
            broken = true;
            ctx.fireExceptionCaught(e);
        } finally {
            buf.release();
        }
    }

    /** Fires every complete packet in {@code buf}, leaving an incomplete one unread; stops once removed. */
    private void decode(ChannelHandlerContext ctx, ByteBuf buf) {
        while (buf.readableBytes() >= 4 && !ctx.isRemoved()) {
            int at = buf.readerIndex();
            long length = buf.getUnsignedInt(at);
            if (length < Packets.HEADER_LENGTH || length > maxPacket) {
                throw new ProtocolException(ProtocolException.Kind.PACKET_LENGTH, "packet length "
                        + Packets.lengthAt(buf, at) + " (expected: " + Packets.HEADER_LENGTH + ".." + maxPacket + ")");
            }
            if (buf.readableBytes() < length) {
                return;
            }
            Packet p = Packets.sliceAt(buf, at, (int) length);
            buf.skipBytes((int) length);
            ctx.fireChannelRead(p);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof Packet p) {
            ByteBuf out;
            try {
                out = Packets.encode(ctx.alloc(), p);
            } finally {
                p.release();
            }
            ctx.write(out, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }
}
