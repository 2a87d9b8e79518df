package io.goim.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.protocol.Op;
import io.goim.protocol.PacketCodec;
import io.goim.protocol.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** One TCP load connection on its real pipeline (PacketCodec + TcpLoadConnection), with virtual time. */
class LoadConnectionTest {
    private static final long HEARTBEAT = TimeUnit.SECONDS.toNanos(60);
    private static final long AUTH_TIMEOUT = TimeUnit.SECONDS.toNanos(30);

    private final LoadStats stats = new LoadStats();
    private final AtomicInteger slotsReturned = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final LoadClient.Lifecycle lifecycle = new LoadClient.Lifecycle();

    private EmbeddedChannel connect() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast("decoder", new PacketCodec(Packets.DEFAULT_MAX_BODY));
        ch.pipeline().addLast("connection",
                new TcpLoadConnection(stats, 42, HEARTBEAT, AUTH_TIMEOUT, slotsReturned::incrementAndGet, () -> {
                    slotsReturned.incrementAndGet();
                    failures.incrementAndGet();
                }, lifecycle));
        ch.pipeline().fireChannelActive();
        return ch;
    }

    private static void assertPacket(ByteBuf out, int op, String body) {
        assertNotNull(out, "expected a packet with op " + op);
        try {
            assertEquals(Packets.HEADER_LENGTH + body.length(), out.readInt());
            assertEquals(Packets.HEADER_LENGTH, out.readShort());
            assertEquals(1, out.readShort());
            assertEquals(op, out.readInt());
            out.readInt();
            assertEquals(body, out.toString(StandardCharsets.US_ASCII));
        } finally {
            out.release();
        }
    }

    @Test
    void authenticatesWithTheUserIdThenCountsPushesEvenInTheSameRead() {
        EmbeddedChannel ch = connect();
        assertPacket(ch.readOutbound(), Op.AUTH, "42");
        ByteBuf in = Unpooled.buffer();
        Packets.write(in, 1, Op.AUTH_REPLY, 1, new byte[0]);
        Packets.write(in, 1, Op.SEND_MSG_REPLY, 0, "{}".getBytes());
        Packets.write(in, 1, Op.SEND_MSG_REPLY, 0, "{}".getBytes());
        ch.writeInbound(in);
        assertEquals(1, stats.authed.sum());
        assertEquals(2, stats.pushes.sum());
        assertEquals(1, slotsReturned.get());
        assertNull(ch.pipeline().get("decoder"));
        assertNotNull(ch.pipeline().get("counter"));
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void sendsHeartbeatsOncePerIntervalAfterAuth() {
        EmbeddedChannel ch = connect();
        ((ByteBuf) ch.readOutbound()).release();
        ch.writeInbound(Packets.encode(ch.alloc(), 1, Op.AUTH_REPLY, 1, new byte[0]));
        ch.advanceTimeBy(HEARTBEAT, TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
        assertPacket(ch.readOutbound(), Op.HEARTBEAT, "");
        assertNull(ch.readOutbound());
        ch.advanceTimeBy(HEARTBEAT, TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
        assertPacket(ch.readOutbound(), Op.HEARTBEAT, "");
        assertNull(ch.readOutbound());
        assertTrue(ch.isActive());
        ch.finishAndReleaseAll();
    }

    @Test
    void noAuthReplyWithinTheTimeoutIsAnAuthFailure() {
        EmbeddedChannel ch = connect();
        ((ByteBuf) ch.readOutbound()).release();
        ch.advanceTimeBy(AUTH_TIMEOUT - 1, TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isActive());
        ch.advanceTimeBy(1, TimeUnit.NANOSECONDS);
        ch.runScheduledPendingTasks();
        assertFalse(ch.isActive());
        assertEquals(1, stats.authFailed.sum());
        assertEquals(0, stats.open.sum());
        assertEquals(1, slotsReturned.get());
        assertEquals(1, failures.get());
    }

    @Test
    void aServerCloseAfterAuthIsADropButNotWhenTheRunIsStopping() {
        EmbeddedChannel ch = connect();
        ((ByteBuf) ch.readOutbound()).release();
        ch.writeInbound(Packets.encode(ch.alloc(), 1, Op.AUTH_REPLY, 1, new byte[0]));
        ch.close();
        assertEquals(1, stats.dropped.sum());

        EmbeddedChannel stopped = connect();
        ((ByteBuf) stopped.readOutbound()).release();
        stopped.writeInbound(Packets.encode(stopped.alloc(), 1, Op.AUTH_REPLY, 1, new byte[0]));
        lifecycle.stop();
        stopped.close();
        assertEquals(1, stats.dropped.sum());
        assertEquals(2, slotsReturned.get());
        assertEquals(0, failures.get());
    }
}
