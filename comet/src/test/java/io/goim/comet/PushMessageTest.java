package io.goim.comet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.goim.libs.protocol.Op;
import io.goim.proto.Proto;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Encode once, write a retained duplicate per connection, in the connection's wire format. */
class PushMessageTest {
    private final CometCounters counters = new CometCounters();
    private final Whitelist whitelist = new Whitelist(List.of());
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

    private static Connection conn(EmbeddedChannel ch, Wire wire) {
        return new Connection("1_1", 1, 1, ch, wire);
    }

    @Test
    void tcpConnectionsShareOneEncodedBuffer() {
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel b = new EmbeddedChannel();
        PushMessage msg = PushMessage.of(alloc, push("{\"n\":1}"));
        assertTrue(msg.writeTo(conn(a, Wire.TCP), counters, whitelist));
        assertTrue(msg.writeTo(conn(b, Wire.TCP), counters, whitelist));
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
        assertEquals(2, counters.pushesQueued.sum());
        assertEquals(2, counters.packetsWritten.sum());
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    @Test
    void textWebSocketConnectionsShareOneJsonArrayFrame() {
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel b = new EmbeddedChannel();
        PushMessage msg = PushMessage.of(alloc, push("{\"n\":1}"));
        msg.writeTo(conn(a, Wire.WS_TEXT), counters, whitelist);
        msg.writeTo(conn(b, Wire.WS_TEXT), counters, whitelist);
        TextWebSocketFrame fa = a.readOutbound();
        TextWebSocketFrame fb = b.readOutbound();
        assertEquals("[{\"ver\":1,\"op\":5,\"seq\":0,\"body\":{\"n\":1}}]", fa.text());
        assertSame(root(msg.textFrame().content()), root(fa.content()));
        assertSame(root(msg.textFrame().content()), root(fb.content()));
        msg.release();
        fa.release();
        fb.release();
        assertEquals(0, msg.refCnt());
        a.finishAndReleaseAll();
        b.finishAndReleaseAll();
    }

    @Test
    void binaryWebSocketConnectionGetsTheTcpBytesInABinaryFrame() {
        EmbeddedChannel ch = new EmbeddedChannel();
        PushMessage msg = PushMessage.of(alloc, push("x"));
        msg.writeTo(conn(ch, Wire.WS_BINARY), counters, whitelist);
        BinaryWebSocketFrame f = ch.readOutbound();
        assertSame(root(msg.tcpBytes()), root(f.content()));
        assertEquals(Op.SEND_MSG_REPLY, f.content().getInt(8));
        f.release();
        msg.release();
        ch.finishAndReleaseAll();
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
        msg.writeTo(conn(tcp, Wire.TCP), counters, whitelist);
        msg.writeTo(conn(ws, Wire.WS_TEXT), counters, whitelist);
        ByteBuf out = tcp.readOutbound();
        assertEquals(bytes.length, out.readableBytes());
        assertTrue(ByteBufUtil.equals(io.netty.buffer.Unpooled.wrappedBuffer(bytes), out));
        assertNull(tcp.readOutbound()); // one write (and one flush) for the whole batch
        TextWebSocketFrame frame = ws.readOutbound();
        assertEquals("[{\"ver\":1,\"op\":5,\"seq\":0,\"body\":{\"i\":0}},{\"ver\":1,\"op\":5,\"seq\":0,\"body\":{\"i\":1}},"
                + "{\"ver\":1,\"op\":5,\"seq\":0,\"body\":{\"i\":2}}]", frame.text());
        assertNull(ws.readOutbound());
        assertEquals(6, counters.packetsWritten.sum());
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
    void pushToAConnectionAboveItsHighWaterMarkIsDroppedAndCounted() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        ch.write(alloc.buffer().writeBytes(new byte[64])); // written, not flushed: the backlog
        assertFalse(ch.isWritable());
        PushMessage msg = PushMessage.of(alloc, push("{}"));
        assertFalse(msg.writeTo(conn(ch, Wire.TCP), counters, whitelist));
        assertEquals(1, counters.pushesDropped.sum());
        assertEquals(0, counters.pushesQueued.sum());
        msg.release();
        assertEquals(0, msg.refCnt());
        ch.finishAndReleaseAll();
    }

    @Test
    void pushToAClosedConnectionIsNotDelivered() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.close();
        PushMessage msg = PushMessage.of(alloc, push("{}"));
        assertFalse(msg.writeTo(conn(ch, Wire.TCP), counters, whitelist));
        assertFalse(msg.writeTo(null, counters, whitelist));
        msg.release();
        assertEquals(0, msg.refCnt());
    }
}
