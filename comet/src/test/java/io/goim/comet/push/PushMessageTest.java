package io.goim.comet.push;

import io.goim.comet.TestComets;
import io.goim.comet.WsClientFrames;
import io.goim.comet.transport.Wire;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.goim.protocol.Op;
import io.goim.proto.Proto;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Encode once, write a retained duplicate per connection, in the connection's wire format. */
class PushMessageTest {
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    private static Proto push(String body) {
        return Proto.newBuilder().setVer(1).setOp(Op.SEND_MSG_REPLY).setSeq(0)
                .setBody(ByteString.copyFromUtf8(body)).build();
    }

    /** The buffer that owns the memory, under any duplicate or leak-detection wrapper. */
    private static ByteBuf root(ByteBuf b) {
        while (b.unwrap() != null) {
            b = b.unwrap();
        }
        return b;
    }

    @Test
    void tcpConnectionsShareOneEncodedBuffer() {
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel b = new EmbeddedChannel();
        PushMessage msg = PushMessage.of(alloc, push("{\"n\":1}"));
        a.writeAndFlush(msg.frame(Wire.TCP));
        b.writeAndFlush(msg.frame(Wire.TCP));
        ByteBuf outA = a.readOutbound();
        ByteBuf outB = b.readOutbound();
        assertSame(root(msg.tcpBytes()), root(outA));
        assertSame(root(msg.tcpBytes()), root(outB));
        ByteBuf expected = TestComets.packet(Op.SEND_MSG_REPLY, 0, "{\"n\":1}");
        assertTrue(ByteBufUtil.equals(expected, outA));
        expected.release();
        msg.release();
        assertEquals(2, msg.tcpBytes().refCnt()); // the two in-flight duplicates keep it alive
        outA.release();
        outB.release();
        assertEquals(0, msg.tcpBytes().refCnt());
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    @Test
    void textWebSocketConnectionsShareOneJsonArrayFrame() {
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel b = new EmbeddedChannel();
        PushMessage msg = PushMessage.of(alloc, push("{\"n\":1}"));
        a.writeAndFlush(msg.frame(Wire.WS_TEXT));
        b.writeAndFlush(msg.frame(Wire.WS_TEXT));
        ByteBuf fa = a.readOutbound();
        ByteBuf fb = b.readOutbound();
        assertSame(root(msg.webSocketText()), root(fa)); // one framed buffer shared, no copy per connection
        assertSame(root(msg.webSocketText()), root(fb));
        fb.release();
        TextWebSocketFrame text = (TextWebSocketFrame) WsClientFrames.decode(fa);
        assertEquals("[{\"ver\":1,\"op\":5,\"seq\":0,\"body\":{\"n\":1}}]", text.text());
        text.release();
        msg.release();
        assertEquals(0, msg.refCnt());
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    @Test
    void binaryWebSocketConnectionGetsTheTcpBytesInABinaryFrame() {
        EmbeddedChannel ch = new EmbeddedChannel();
        PushMessage msg = PushMessage.of(alloc, push("x"));
        ch.writeAndFlush(msg.frame(Wire.WS_BINARY));
        ByteBuf raw = ch.readOutbound();
        assertSame(root(msg.webSocketBinary()), root(raw));
        BinaryWebSocketFrame f = (BinaryWebSocketFrame) WsClientFrames.decode(raw);
        assertTrue(ByteBufUtil.equals(msg.tcpBytes(), f.content()), "the frame carries the TCP packets");
        assertEquals(Op.SEND_MSG_REPLY, f.content().getInt(8));
        f.release();
        msg.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void goimV2BinaryClientsGetABatchWrappedInOneOp9Packet() {
        ByteBuf batch = alloc.buffer();
        for (int i = 0; i < 2; i++) {
            ByteBuf p = TestComets.packet(1000 + i, 0, "m" + i);
            batch.writeBytes(p);
            p.release();
        }
        byte[] bytes = ByteBufUtil.getBytes(batch);
        batch.release();
        PushMessage msg = PushMessage.of(alloc, Proto.newBuilder().setOp(Op.RAW).setBody(ByteString.copyFrom(bytes)).build());
        EmbeddedChannel v1 = new EmbeddedChannel();
        EmbeddedChannel v2 = new EmbeddedChannel();
        v1.writeAndFlush(msg.frame(Wire.WS_BINARY, false));
        v2.writeAndFlush(msg.frame(Wire.WS_BINARY, true));
        BinaryWebSocketFrame one = (BinaryWebSocketFrame) WsClientFrames.decode(v1.readOutbound());
        assertTrue(ByteBufUtil.equals(io.netty.buffer.Unpooled.wrappedBuffer(bytes), one.content()), "v1: packets end to end");
        BinaryWebSocketFrame wrapped = (BinaryWebSocketFrame) WsClientFrames.decode(v2.readOutbound());
        ByteBuf c = wrapped.content();
        assertEquals(16 + bytes.length, c.getInt(0), "one packet as long as the frame");
        assertEquals(Op.V2_RAW, c.getInt(8), "goim v2's OpRaw, which its client.js unpacks");
        assertTrue(ByteBufUtil.equals(io.netty.buffer.Unpooled.wrappedBuffer(bytes), c.slice(16, bytes.length)));
        one.release();
        wrapped.release();
        msg.release();
        assertEquals(0, msg.refCnt());
        v1.finishAndReleaseAll();
        v2.finishAndReleaseAll();

        PushMessage single = PushMessage.of(alloc, push("x"));
        assertSame(single.webSocketBinary(), single.webSocketBinaryV2(), "a single packet needs no wrapper");
        single.release();
    }

    @Test
    void rawBatchGoesToTcpAsTheBytesAndToWebSocketAsOneArray() {
        ByteBuf batch = alloc.buffer();
        for (int i = 0; i < 3; i++) {
            ByteBuf p = TestComets.packet(Op.SEND_MSG_REPLY, 0, "{\"i\":" + i + "}");
            batch.writeBytes(p);
            p.release();
        }
        byte[] bytes = ByteBufUtil.getBytes(batch);
        batch.release();
        PushMessage msg = PushMessage.of(alloc, Proto.newBuilder().setOp(Op.RAW).setBody(ByteString.copyFrom(bytes)).build());
        assertEquals(3, msg.packets());
        EmbeddedChannel tcp = new EmbeddedChannel();
        EmbeddedChannel ws = new EmbeddedChannel();
        tcp.writeAndFlush(msg.frame(Wire.TCP));
        ws.writeAndFlush(msg.frame(Wire.WS_TEXT));
        ByteBuf out = tcp.readOutbound();
        assertEquals(bytes.length, out.readableBytes());
        assertTrue(ByteBufUtil.equals(io.netty.buffer.Unpooled.wrappedBuffer(bytes), out));
        assertNull(tcp.readOutbound()); // one write (and one flush) for the whole batch
        TextWebSocketFrame frame = (TextWebSocketFrame) WsClientFrames.decode(ws.readOutbound());
        assertEquals("[{\"ver\":1,\"op\":5,\"seq\":0,\"body\":{\"i\":0}},{\"ver\":1,\"op\":5,\"seq\":0,\"body\":{\"i\":1}},"
                + "{\"ver\":1,\"op\":5,\"seq\":0,\"body\":{\"i\":2}}]", frame.text());
        assertNull(ws.readOutbound());
        out.release();
        frame.release();
        msg.release();
        tcp.finishAndReleaseAll();
        ws.finishAndReleaseAll();
    }

    @Test
    void malformedRawBatchIsRefusedWithoutLeaking() {
        Proto bad = Proto.newBuilder().setOp(Op.RAW).setBody(ByteString.copyFrom(new byte[] {0, 0, 0, 40, 0, 16})).build();
        assertThrows(IllegalArgumentException.class, () -> PushMessage.of(alloc, bad));
    }

    @Test
    void mergedMessagesAreTheirPacketsEndToEndAndOneArrayFrame() {
        PushMessage a = PushMessage.of(alloc, push("{\"n\":1}"));
        PushMessage b = PushMessage.of(alloc, push("\"two\""));
        PushMessage merged = PushMessage.merge(alloc, List.of(a, b));
        assertEquals(2, merged.packets());
        assertEquals(a.size() + b.size(), merged.size());
        ByteBuf expected = alloc.buffer().writeBytes(a.tcpBytes().duplicate()).writeBytes(b.tcpBytes().duplicate());
        assertTrue(ByteBufUtil.equals(expected, merged.tcpBytes()));
        TextWebSocketFrame frame = (TextWebSocketFrame) WsClientFrames.decode(merged.webSocketText().retainedDuplicate());
        assertEquals("[{\"ver\":1,\"op\":5,\"seq\":0,\"body\":{\"n\":1}},{\"ver\":1,\"op\":5,\"seq\":0,\"body\":\"two\"}]",
                frame.text());
        frame.release();
        assertEquals(1, a.refCnt()); // the parts are the caller's to release
        expected.release();
        merged.release();
        a.release();
        b.release();
        assertEquals(0, merged.tcpBytes().refCnt());
    }

    /** Frames of every header size (7-bit, 16-bit and 64-bit lengths) are byte for byte what Netty's encoder writes. */
    @Test
    void preFramedBytesAreWhatNettysFrameEncoderWrites() {
        for (int length : new int[] {0, 5, 125, 126, 200, 65_535, 65_536, 70_000}) {
            byte[] payload = new byte[length];
            java.util.Arrays.fill(payload, (byte) 'a');
            for (boolean text : new boolean[] {true, false}) {
                EmbeddedChannel netty = new EmbeddedChannel(
                        new io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder(false));
                netty.writeOutbound(text ? new TextWebSocketFrame(io.netty.buffer.Unpooled.wrappedBuffer(payload))
                        : new BinaryWebSocketFrame(io.netty.buffer.Unpooled.wrappedBuffer(payload)));
                ByteBuf expected = alloc.buffer();
                ByteBuf part;
                while ((part = netty.readOutbound()) != null) {
                    expected.writeBytes(part);
                    part.release();
                }
                ByteBuf ours = PushMessage.frame(alloc, text ? PushMessage.OPCODE_TEXT : PushMessage.OPCODE_BINARY,
                        io.netty.buffer.Unpooled.wrappedBuffer(payload));
                assertTrue(ByteBufUtil.equals(expected, ours), "length " + length + (text ? " text" : " binary"));
                expected.release();
                ours.release();
                netty.finishAndReleaseAll();
            }
        }
    }
}
