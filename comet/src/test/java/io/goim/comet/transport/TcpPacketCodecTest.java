package io.goim.comet.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.goim.protocol.Packet;
import io.goim.protocol.Packets;
import io.goim.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The comet's TCP packet codec: framing, limits, and what it keeps between reads. */
class TcpPacketCodecTest {
    private final List<Throwable> errors = new ArrayList<>();

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new TcpPacketCodec(1024), new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                errors.add(cause);
            }
        });
    }

    private static ByteBuf packet(int op, int seq, String body) {
        return Packets.encode(Unpooled.buffer().alloc(), 1, op, seq, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertPacket(Object o, int op, int seq, String body) {
        Packet p = assertInstanceOf(Packet.class, o);
        try {
            assertEquals(op, p.op());
            assertEquals(seq, p.seq());
            assertEquals(body, p.body().toString(StandardCharsets.UTF_8));
        } finally {
            p.release();
        }
    }

    @Test
    void aPacketSplitOverReadsAndTwoPacketsInOneReadAreDecoded() {
        EmbeddedChannel ch = channel();
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf p : List.of(packet(7, 1, "hello"), packet(2, 2, ""), packet(4, 3, "x"))) {
            all.writeBytes(p);
            p.release();
        }
        ch.writeInbound(all.readRetainedSlice(3)); // not even the length field
        assertNull(ch.readInbound());
        ch.writeInbound(all.readRetainedSlice(15)); // length and most of the header
        assertNull(ch.readInbound());
        ch.writeInbound(all.readRetainedSlice(all.readableBytes() - 2)); // rest of 1st, 2nd, part of 3rd
        assertPacket(ch.readInbound(), 7, 1, "hello");
        assertPacket(ch.readInbound(), 2, 2, "");
        assertNull(ch.readInbound());
        ch.writeInbound(all.readRetainedSlice(2));
        assertPacket(ch.readInbound(), 4, 3, "x");
        all.release();
        assertFalse(ch.finishAndReleaseAll());
        assertEquals(List.of(), errors);
    }

    @Test
    void aBadLengthIsOneErrorAndEverythingAfterItIsDiscarded() {
        EmbeddedChannel ch = channel();
        ByteBuf bad = Unpooled.buffer().writeInt(16 + 1025).writeShort(16).writeShort(1).writeInt(7).writeInt(1);
        ch.writeInbound(bad);
        ch.writeInbound(packet(2, 2, ""));
        assertNull(ch.readInbound());
        assertEquals(1, errors.size());
        assertEquals(ProtocolException.Kind.PACKET_LENGTH, ((ProtocolException) errors.get(0)).kind());
        ch.finishAndReleaseAll();
    }

    @Test
    void aBadHeaderLengthIsAnError() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.buffer().writeInt(16).writeShort(12).writeShort(1).writeInt(7).writeInt(1));
        assertEquals(ProtocolException.Kind.HEADER_LENGTH, ((ProtocolException) errors.get(0)).kind());
        ch.finishAndReleaseAll();
    }

    @Test
    void packetsWrittenAreEncodedAndBuffersPassThrough() {
        EmbeddedChannel ch = channel();
        ch.writeOutbound(new Packet(1, 8, 5, Unpooled.copiedBuffer("ok", StandardCharsets.UTF_8)));
        ByteBuf out = ch.readOutbound();
        ByteBuf expected = packet(8, 5, "ok");
        assertEquals(expected, out);
        out.release();
        ch.writeOutbound(expected.retain());
        ByteBuf same = ch.readOutbound();
        assertEquals(expected, same);
        same.release();
        expected.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void anIncompletePacketIsReleasedWhenTheConnectionCloses() {
        EmbeddedChannel ch = channel();
        ByteBuf p = packet(7, 1, "hello");
        ch.writeInbound(p.readRetainedSlice(10));
        p.release();
        ch.close();
        // The paranoid leak detector reports the partial packet if it was not released.
        assertFalse(ch.finishAndReleaseAll());
    }
}
