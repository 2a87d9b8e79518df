package io.goim.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.protocol.Op;
import io.goim.protocol.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class PushCounterTest {
    /** Three pushes (one with an empty body), a heartbeat reply and an auth reply, laid end to end. */
    private static ByteBuf stream() {
        ByteBuf b = Unpooled.buffer();
        Packets.write(b, 1, Op.SEND_MSG_REPLY, 0, "{\"a\":1}".getBytes());
        Packets.write(b, 1, Op.HEARTBEAT_REPLY, 7, new byte[0]);
        Packets.write(b, 1, Op.SEND_MSG_REPLY, 0, new byte[0]);
        Packets.write(b, 1, Op.AUTH_REPLY, 1, new byte[0]);
        Packets.write(b, 1, Op.SEND_MSG_REPLY, 0, new byte[300]);
        return b;
    }

    @Test
    void countsPushesAndHeartbeatRepliesInOneRead() {
        LoadStats stats = new LoadStats();
        EmbeddedChannel ch = new EmbeddedChannel(new PushCounter(stats));
        ch.writeInbound(stream());
        assertEquals(3, stats.pushes.sum());
        assertEquals(1, stats.heartbeatReplies.sum());
        assertTrue(ch.isActive());
        assertFalse(ch.finish());
    }

    @Test
    void countsTheSameWhenEveryByteArrivesAlone() {
        LoadStats stats = new LoadStats();
        EmbeddedChannel ch = new EmbeddedChannel(new PushCounter(stats));
        ByteBuf all = stream();
        while (all.isReadable()) {
            ch.writeInbound(all.readRetainedSlice(1));
        }
        all.release();
        assertEquals(3, stats.pushes.sum());
        assertEquals(1, stats.heartbeatReplies.sum());
        assertFalse(ch.finish());
    }

    @Test
    void closesOnAPacketLengthShorterThanTheHeader() {
        LoadStats stats = new LoadStats();
        EmbeddedChannel ch = new EmbeddedChannel(new PushCounter(stats));
        ByteBuf bad = Unpooled.buffer();
        Packets.write(bad, 1, Op.SEND_MSG_REPLY, 0, new byte[0]);
        bad.writeInt(15).writeShort(16).writeShort(1).writeInt(Op.SEND_MSG_REPLY).writeInt(0);
        ch.writeInbound(bad);
        assertEquals(1, stats.pushes.sum());
        assertEquals(1, stats.protocolErrors.sum());
        assertFalse(ch.isActive());
    }
}
