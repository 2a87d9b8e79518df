package io.goim.comet.session;

import io.goim.comet.CometConfig;
import io.goim.comet.CometParts;
import io.goim.comet.CometCounts;
import io.goim.comet.CometMeters;
import io.goim.comet.cluster.LogicClient;
import io.goim.comet.transport.Wire;
import io.goim.libs.testing.Counts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.protocol.Op;
import io.goim.protocol.Packets;
import io.goim.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Connection timers and first-packet rules, on the production pipeline with virtual time. */
class TcpConnectionLifecycleTest {
    private LogicClient logic;
    private CometParts comet;

    @BeforeEach
    void setUp() {
        CometConfig config = CometConfig.from(ConfigLoader.withDefaults(ConfigFactory.parseMap(Map.of(
                "comet.handshake-timeout", "5s",
                "comet.heartbeat-timeout", "5m",
                // Nothing listens here: these tests never reach logic successfully.
                "comet.logic", "127.0.0.1:1"))));
        logic = new LogicClient(config.logic(), config.logicTimeout(), config.serverId());
        comet = new CometParts(config, logic, new CometMeters(new SimpleMeterRegistry()));
    }

    @AfterEach
    void tearDown() throws Exception {
        comet.close();
        logic.close();
    }

    private EmbeddedChannel newConnection() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(comet.tcp(null));
        return ch;
    }

    private static ByteBuf packet(int op, int seq, String body) {
        ByteBuf b = Unpooled.buffer();
        Packets.write(b, 1, op, seq, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return b;
    }

    @Test
    void connectionWithoutAuthIsClosedWhenTheHandshakeTimeoutPasses() {
        EmbeddedChannel ch = newConnection();
        ch.advanceTimeBy(4_999, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen());
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertFalse(ch.isOpen());
        assertEquals(1, Counts.of(comet.meters().registry(), "goim_comet_handshake_timeouts"));
        ch.finishAndReleaseAll();
    }

    @Test
    void afterTheAuthPacketTheLoginTimeoutAppliesInsteadOfTheHandshakeTimeout() throws Exception {
        // A "logic" that accepts TCP connections and never answers: the login stays in flight.
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            CometConfig config = CometConfig.from(ConfigLoader.withDefaults(ConfigFactory.parseMap(Map.of(
                    "comet.handshake-timeout", "5s",
                    "comet.login-timeout", "30s",
                    "comet.logic-timeout", "10m",
                    "comet.logic", "127.0.0.1:" + silent.getLocalPort()))));
            LogicClient silentLogic = new LogicClient(config.logic(), config.logicTimeout(), config.serverId());
            CometParts waiting = new CometParts(config, silentLogic, new CometMeters(new SimpleMeterRegistry()));
            try {
                EmbeddedChannel ch = new EmbeddedChannel();
                ch.freezeTime();
                ch.pipeline().addLast(waiting.tcp(null));
                ch.advanceTimeBy(4, TimeUnit.SECONDS);
                ch.writeInbound(packet(Op.AUTH, 1, "7"));
                ch.advanceTimeBy(10, TimeUnit.SECONDS);
                ch.runScheduledPendingTasks();
                assertTrue(ch.isOpen(), "the handshake timeout no longer applies once the auth packet came");
                ch.advanceTimeBy(20, TimeUnit.SECONDS); // 30 s after the auth packet
                ch.runScheduledPendingTasks();
                assertFalse(ch.isOpen());
                assertEquals(1, Counts.of(waiting.meters().registry(), "goim_comet_login_timeouts"));
                assertEquals(0, Counts.of(waiting.meters().registry(), "goim_comet_handshake_timeouts"));
                assertEquals(0, Counts.of(waiting.meters().registry(), "goim_comet_auth", "result", "failed"));
                ch.finishAndReleaseAll();
            } finally {
                waiting.close();
                silentLogic.close();
            }
        }
    }

    @Test
    void packetOtherThanAuthFirstClosesTheConnectionAndIsCounted() {
        EmbeddedChannel ch = newConnection();
        ch.writeInbound(packet(Op.HEARTBEAT, 1, ""));
        assertFalse(ch.isOpen());
        assertEquals(1, CometCounts.protocolErrors(comet.meters().registry(), ProtocolException.Kind.NOT_AUTHENTICATED));
        ch.finishAndReleaseAll();
    }

    @Test
    void malformedHeaderClosesTheConnectionAndIsCountedByKind() {
        EmbeddedChannel ch = newConnection();
        ByteBuf bad = Unpooled.buffer();
        bad.writeInt(16).writeShort(12).writeShort(1).writeInt(Op.AUTH).writeInt(1);
        ch.writeInbound(bad);
        assertFalse(ch.isOpen());
        assertEquals(1, CometCounts.protocolErrors(comet.meters().registry(), ProtocolException.Kind.HEADER_LENGTH));
        ch.finishAndReleaseAll();
    }

    /** An authenticated connection: the session stage installed as auth installs it. */
    private EmbeddedChannel authenticatedConnection() {
        EmbeddedChannel ch = newConnection();
        Connection c = new Connection("7_1", 7, ch, Wire.TCP);
        comet.auth().sessions().register(c, "1");
        ch.pipeline().replace("auth", "session", new SessionHandler(comet.auth().session(), c));
        return ch;
    }

    @Test
    void heartbeatIsAnsweredWithTheSameSeqAndRearmsTheTimer() {
        EmbeddedChannel ch = authenticatedConnection();
        ch.advanceTimeBy(4, TimeUnit.MINUTES);
        ch.runScheduledPendingTasks();
        ch.writeInbound(packet(Op.HEARTBEAT, 9, ""));
        ByteBuf reply = ch.readOutbound();
        assertEquals(Op.HEARTBEAT_REPLY, reply.getInt(8));
        assertEquals(9, reply.getInt(12));
        reply.release();

        // 4 + 4 minutes since auth, but only 4 since the heartbeat: still open.
        ch.advanceTimeBy(4, TimeUnit.MINUTES);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen());
        ch.advanceTimeBy(1, TimeUnit.MINUTES);
        ch.runScheduledPendingTasks();
        assertFalse(ch.isOpen());
        assertEquals(1, Counts.of(comet.meters().registry(), "goim_comet_heartbeat_timeouts"));
        ch.finishAndReleaseAll();
    }

    @Test
    void testOpIsAnsweredWithComeOn() {
        EmbeddedChannel ch = authenticatedConnection();
        ch.writeInbound(packet(Op.TEST, 3, ""));
        ByteBuf reply = ch.readOutbound();
        assertEquals(Op.TEST_REPLY, reply.getInt(8));
        assertEquals(3, reply.getInt(12));
        assertEquals("{\"test\":\"come on\"}", reply.toString(16, reply.readableBytes() - 16,
                java.nio.charset.StandardCharsets.UTF_8));
        reply.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void unknownOpAfterAuthClosesTheConnection() {
        EmbeddedChannel ch = authenticatedConnection();
        ch.writeInbound(packet(99, 1, ""));
        assertFalse(ch.isOpen());
        assertEquals(1, CometCounts.protocolErrors(comet.meters().registry(), ProtocolException.Kind.UNKNOWN_OP));
        ch.finishAndReleaseAll();
    }

    @Test
    void sendMessageIsEchoedAsOp5() {
        EmbeddedChannel ch = authenticatedConnection();
        ch.writeInbound(packet(Op.SEND_MSG, 4, "hi"));
        ByteBuf reply = ch.readOutbound();
        assertEquals(Op.SEND_MSG_REPLY, reply.getInt(8));
        assertEquals("hi", reply.toString(16, 2, java.nio.charset.StandardCharsets.UTF_8));
        reply.release();
        ch.finishAndReleaseAll();
    }

    private void assertClosedWith(ByteBuf input, ProtocolException.Kind kind) {
        EmbeddedChannel ch = newConnection();
        ch.writeInbound(input);
        assertFalse(ch.isOpen(), kind + " should close");
        assertEquals(1, CometCounts.protocolErrors(comet.meters().registry(), kind));
        ch.finishAndReleaseAll();
    }

    @Test
    void negativePacketLengthClosesTheConnection() {
        ByteBuf bad = packet(Op.AUTH, 1, "1");
        bad.setInt(0, -5);
        assertClosedWith(bad, ProtocolException.Kind.PACKET_LENGTH);
    }

    @Test
    void packetLengthBelowTheHeaderClosesTheConnection() {
        ByteBuf bad = packet(Op.AUTH, 1, "1");
        bad.setInt(0, 15);
        assertClosedWith(bad, ProtocolException.Kind.PACKET_LENGTH);
    }

    @Test
    void packetLengthAboveMaxBodyClosesTheConnection() {
        // Only the header arrives: the length alone is enough to refuse it.
        ByteBuf bad = Unpooled.buffer().writeInt(16 + 1024 + 1).writeShort(16).writeShort(1).writeInt(Op.AUTH).writeInt(1);
        assertClosedWith(bad, ProtocolException.Kind.PACKET_LENGTH);
    }

    @Test
    void packetOfExactlyMaxBodyIsAccepted() {
        EmbeddedChannel ch = authenticatedConnection();
        ch.writeInbound(packet(Op.SEND_MSG, 1, "x".repeat(1024)));
        ByteBuf reply = ch.readOutbound();
        assertEquals(16 + 1024, reply.readableBytes());
        reply.release();
        assertTrue(ch.isOpen());
        ch.finishAndReleaseAll();
    }

    @Test
    void packetSplitOverManyReadsIsDecodedOnce() {
        EmbeddedChannel ch = authenticatedConnection();
        ByteBuf whole = packet(Op.SEND_MSG, 8, "split body");
        while (whole.isReadable()) {
            ch.writeInbound(whole.readRetainedSlice(Math.min(3, whole.readableBytes())));
        }
        whole.release();
        ByteBuf reply = ch.readOutbound();
        assertEquals(8, reply.getInt(12));
        assertEquals("split body", reply.toString(16, reply.readableBytes() - 16, java.nio.charset.StandardCharsets.UTF_8));
        reply.release();
        assertEquals(null, (Object) ch.readOutbound());
        ch.finishAndReleaseAll();
    }

    @Test
    void packetsMergedInOneReadAreEachAnswered() {
        EmbeddedChannel ch = authenticatedConnection();
        ByteBuf merged = Unpooled.buffer();
        for (int seq = 1; seq <= 3; seq++) {
            ByteBuf p = packet(Op.HEARTBEAT, seq, "");
            merged.writeBytes(p);
            p.release();
        }
        ch.writeInbound(merged);
        for (int seq = 1; seq <= 3; seq++) {
            ByteBuf reply = ch.readOutbound();
            assertEquals(Op.HEARTBEAT_REPLY, reply.getInt(8));
            assertEquals(seq, reply.getInt(12));
            reply.release();
        }
        assertEquals(3, Counts.of(comet.meters().registry(), "goim_comet_ops_received", "op", "heartbeat"));
        ch.finishAndReleaseAll();
    }

    @Test
    void bytesAfterAProtocolErrorAreIgnored() {
        EmbeddedChannel ch = authenticatedConnection();
        ByteBuf bad = packet(Op.HEARTBEAT, 1, "");
        bad.setShort(4, 20);
        ByteBuf good = packet(Op.HEARTBEAT, 2, "");
        bad.writeBytes(good);
        good.release();
        ch.writeInbound(bad);
        assertEquals(null, (Object) ch.readOutbound());
        assertFalse(ch.isOpen());
        ch.finishAndReleaseAll();
    }

    @Test
    void authenticatedConnectionIsRegisteredAndForgottenOnClose() {
        EmbeddedChannel ch = authenticatedConnection();
        assertEquals(1, comet.connections().online());
        assertEquals(1, comet.connections().roomOnline("1"));
        ch.close();
        assertEquals(0, comet.connections().online());
        assertEquals(0, comet.connections().rooms());
        ch.finishAndReleaseAll();
    }

    /** Fills the outbound buffer past the high-water mark without flushing: the client stopped reading. */
    private static void stall(EmbeddedChannel ch) {
        ch.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(8, 16));
        ch.write(Unpooled.buffer().writeBytes(new byte[64]));
        ch.runPendingTasks();
        assertFalse(ch.isWritable());
    }

    @Test
    void connectionThatStaysNotWritableIsClosedAsASlowConsumer() {
        EmbeddedChannel ch = authenticatedConnection();
        stall(ch);
        assertFalse(ch.config().isAutoRead(), "reads pause while the client is behind");
        ch.advanceTimeBy(9, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen());
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertFalse(ch.isOpen());
        assertEquals(1, CometCounts.protocolErrors(comet.meters().registry(), ProtocolException.Kind.SLOW_CONSUMER));
        ch.finishAndReleaseAll();
    }

    @Test
    void connectionThatCatchesUpKeepsGoing() {
        EmbeddedChannel ch = authenticatedConnection();
        stall(ch);
        ch.flush(); // the client read everything
        ch.runPendingTasks();
        assertTrue(ch.isWritable());
        assertTrue(ch.config().isAutoRead());
        ch.advanceTimeBy(1, TimeUnit.MINUTES);
        ch.runScheduledPendingTasks();
        assertTrue(ch.isOpen());
        assertEquals(0, CometCounts.protocolErrors(comet.meters().registry(), ProtocolException.Kind.SLOW_CONSUMER));
        ch.finishAndReleaseAll();
    }
}
