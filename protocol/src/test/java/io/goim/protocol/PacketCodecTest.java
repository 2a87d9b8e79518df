package io.goim.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PacketCodecTest {
    /** A heartbeat (op 2, seq 7, ver 1, empty body), byte by byte. */
    private static final String HEARTBEAT_HEX = "00000010" + "0010" + "0001" + "00000002" + "00000007";
    /** An auth (op 7, seq 1, ver 1, body "42"). */
    private static final String AUTH_42_HEX = "00000012" + "0010" + "0001" + "00000007" + "00000001" + "3432";

    private static ByteBuf hex(String hex) {
        return Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex));
    }

    @Test
    void decodesHeaderFieldsAndBody() {
        EmbeddedChannel ch = new EmbeddedChannel(new PacketCodec(1024));
        ch.writeInbound(hex(AUTH_42_HEX));
        Packet p = ch.readInbound();
        assertEquals(1, p.ver());
        assertEquals(Op.AUTH, p.op());
        assertEquals(1, p.seq());
        assertEquals("42", p.body().toString(StandardCharsets.UTF_8));
        p.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void packetSplitAcrossReadsIsReassembled() {
        EmbeddedChannel ch = new EmbeddedChannel(new PacketCodec(1024));
        ByteBuf whole = hex(AUTH_42_HEX);
        ch.writeInbound(whole.readRetainedSlice(3));
        assertNull(ch.readInbound());
        ch.writeInbound(whole.readRetainedSlice(14));
        assertNull(ch.readInbound());
        ch.writeInbound(whole);
        Packet p = ch.readInbound();
        assertEquals("42", p.body().toString(StandardCharsets.UTF_8));
        p.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void severalPacketsInOneReadAreAllDecoded() {
        EmbeddedChannel ch = new EmbeddedChannel(new PacketCodec(1024));
        ch.writeInbound(hex(HEARTBEAT_HEX + AUTH_42_HEX + HEARTBEAT_HEX));
        int[] ops = new int[3];
        for (int i = 0; i < 3; i++) {
            Packet p = ch.readInbound();
            ops[i] = p.op();
            p.release();
        }
        assertEquals(Op.HEARTBEAT, ops[0]);
        assertEquals(Op.AUTH, ops[1]);
        assertEquals(Op.HEARTBEAT, ops[2]);
        assertNull(ch.readInbound());
        ch.finishAndReleaseAll();
    }

    @Test
    void headerLengthOtherThan16IsRejected() {
        ProtocolException e = decodeFails("00000010" + "000c" + "0001" + "00000002" + "00000007");
        assertEquals(ProtocolException.Kind.HEADER_LENGTH, e.kind());
    }

    @Test
    void packetLengthBelowHeaderIsRejected() {
        ProtocolException e = decodeFails("0000000f" + "0010" + "0001" + "00000002" + "00000007");
        assertEquals(ProtocolException.Kind.PACKET_LENGTH, e.kind());
    }

    @Test
    void negativePacketLengthIsRejected() {
        ProtocolException e = decodeFails("ffffffff" + "0010" + "0001" + "00000002" + "00000007");
        assertEquals(ProtocolException.Kind.PACKET_LENGTH, e.kind());
    }

    @Test
    void bodyAboveTheLimitIsRejectedBeforeItArrives() {
        // Claims a 1025-byte body with a 1024 limit; only the header is sent.
        ProtocolException e = decodeFails(String.format("%08x", 16 + 1025) + "0010" + "0001" + "00000004" + "00000001");
        assertEquals(ProtocolException.Kind.PACKET_LENGTH, e.kind());
    }

    @Test
    void bodyAtTheLimitIsAccepted() {
        EmbeddedChannel ch = new EmbeddedChannel(new PacketCodec(8));
        ch.writeInbound(hex(String.format("%08x", 24) + "0010" + "0001" + "00000004" + "00000001" + "0102030405060708"));
        Packet p = ch.readInbound();
        assertEquals(8, p.body().readableBytes());
        p.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void encoderWritesTheSameBytesTheDecoderReads() {
        EmbeddedChannel ch = new EmbeddedChannel(new PacketCodec(1024));
        ch.writeOutbound(new Packet(1, Op.AUTH, 1, Unpooled.copiedBuffer("42", StandardCharsets.UTF_8)));
        ByteBuf out = ch.readOutbound();
        assertEquals(AUTH_42_HEX, ByteBufUtil.hexDump(out));
        out.release();
        ch.finishAndReleaseAll();
    }

    private static ProtocolException decodeFails(String hex) {
        EmbeddedChannel ch = new EmbeddedChannel(new PacketCodec(1024));
        ProtocolException e = assertThrows(ProtocolException.class, () -> ch.writeInbound(hex(hex)));
        ch.finishAndReleaseAll();
        return e;
    }

    @Test
    void removedWhileReadingItHandsTheRestOfTheReadOnAsBytes() {
        // A load client swaps its own counter in at the auth reply; the packets behind it in
        // the same read must reach the counter as bytes, not be lost or decoded.
        StringBuilder seen = new StringBuilder();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast("codec", new PacketCodec(1024));
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Packet p) {
                    seen.append("packet ").append(p.op()).append(';');
                    p.release();
                    ctx.pipeline().replace("codec", "raw", new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext c, Object m) {
                            ByteBuf b = (ByteBuf) m;
                            seen.append("bytes ").append(ByteBufUtil.hexDump(b)).append(';');
                            b.release();
                        }
                    });
                }
            }
        });
        ch.writeInbound(hex(AUTH_42_HEX + HEARTBEAT_HEX));
        assertEquals("packet 7;bytes " + HEARTBEAT_HEX + ";", seen.toString());
        ch.finishAndReleaseAll();
    }
}
