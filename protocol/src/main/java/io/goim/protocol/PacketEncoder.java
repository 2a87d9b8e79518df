package io.goim.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes {@link Packet}s in goim's binary layout (see {@link Packets}). Pre-encoded
 * {@code ByteBuf}s (pushes encoded once for many channels) pass through untouched.
 *
 * <p>Stateless; one instance may serve every channel.
 */
@Sharable
public final class PacketEncoder extends MessageToByteEncoder<Packet> {
    public static final PacketEncoder INSTANCE = new PacketEncoder();

    private PacketEncoder() {
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Packet msg, boolean preferDirect) {
        return ctx.alloc().ioBuffer(Packets.HEADER_LENGTH + msg.body().readableBytes());
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Packet msg, ByteBuf out) {
        Packets.write(out, msg.ver(), msg.op(), msg.seq(), msg.body());
    }
}
