package io.goim.comet;

import io.goim.comet.transport.WebSocketChannelInitializer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.protocol.Op;
import io.goim.protocol.ProtocolException;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.RawWsClient;
import io.goim.libs.testing.TcpTestClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.concurrent.atomic.AtomicReference;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real comet on real sockets, fed what well-behaved clients do not send: packets behind
 * the auth packet in the same write, and a WebSocket ping flood from a client that reads
 * nothing.
 */
class ClientEdgesTest {
    private static FakeLogic logic;
    private static CometServer comet;

    @BeforeAll
    static void start() throws Exception {
        logic = new FakeLogic();
        Map<String, Object> c = new HashMap<>();
        c.put("comet.logic", "127.0.0.1:" + logic.port());
        for (String port : new String[] {"tcp", "websocket", "grpc", "admin"}) {
            c.put("comet." + port + ".host", "127.0.0.1");
            c.put("comet." + port + ".port", 0);
        }
        c.put("comet.event-loop-threads", 2);
        c.put("comet.logic-timeout", "30s");
        comet = CometServer.start(ConfigLoader.withDefaults(ConfigFactory.parseMap(c)));
    }

    @AfterAll
    static void stop() throws Exception {
        comet.close();
        logic.close();
    }

    private static byte[] packet(int op, int seq, String body) {
        ByteBuf b = TestComets.packet(op, seq, body);
        try {
            return ByteBufUtil.getBytes(b);
        } finally {
            b.release();
        }
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }

    @Test
    void tcpPacketsSentWithTheLoginAreAnsweredInOrderAfterIt() throws Exception {
        try (TcpTestClient client = new TcpTestClient("127.0.0.1", comet.tcpPort())) {
            client.sendRaw(concat(packet(Op.AUTH, 1, "6001"), packet(Op.HEARTBEAT, 2, ""), packet(Op.TEST, 3, ""),
                    packet(Op.SEND_MSG, 4, "echo")));
            TcpTestClient.Received auth = client.receive();
            assertEquals(Op.AUTH_REPLY, auth.op());
            assertEquals(1, auth.seq());
            TcpTestClient.Received hb = client.receive();
            assertEquals(Op.HEARTBEAT_REPLY, hb.op());
            assertEquals(2, hb.seq());
            TcpTestClient.Received test = client.receive();
            assertEquals(Op.TEST_REPLY, test.op());
            assertEquals("{\"test\":\"come on\"}", test.bodyText());
            TcpTestClient.Received echo = client.receive();
            assertEquals(Op.SEND_MSG_REPLY, echo.op());
            assertEquals("echo", echo.bodyText());
        }
    }

    @Test
    void anUnknownOpSentWithTheLoginClosesTheConnectionAfterTheOpsBeforeIt() throws Exception {
        long before = CometCounts.protocolErrors(comet.registry(), ProtocolException.Kind.UNKNOWN_OP);
        try (TcpTestClient client = new TcpTestClient("127.0.0.1", comet.tcpPort())) {
            client.sendRaw(concat(packet(Op.AUTH, 1, "6002"), packet(Op.HEARTBEAT, 2, ""), packet(99, 3, ""),
                    packet(Op.HEARTBEAT, 4, "")));
            assertEquals(Op.AUTH_REPLY, client.receive().op());
            assertEquals(Op.HEARTBEAT_REPLY, client.receive().op());
            assertTrue(client.closedByServer(), "op 99 closes the connection, as in goim");
        }
        Await.until("unknown op counted", Duration.ofSeconds(10),
                () -> CometCounts.protocolErrors(comet.registry(), ProtocolException.Kind.UNKNOWN_OP) == before + 1);
    }

    @Test
    void moreThanTheHeldLimitBehindTheLoginClosesTheConnection() throws Exception {
        long before = CometCounts.protocolErrors(comet.registry(), ProtocolException.Kind.TOO_MANY_BEFORE_AUTH);
        byte[][] parts = new byte[10][];
        parts[0] = packet(Op.AUTH, 1, "6003");
        for (int i = 1; i < parts.length; i++) {
            parts[i] = packet(Op.HEARTBEAT, i + 1, ""); // 9: one more than held-before-auth-reply
        }
        try (TcpTestClient client = new TcpTestClient("127.0.0.1", comet.tcpPort())) {
            client.sendRaw(concat(parts));
            assertTrue(client.closedByServer());
        }
        Await.until("overflow counted", Duration.ofSeconds(10),
                () -> CometCounts.protocolErrors(comet.registry(), ProtocolException.Kind.TOO_MANY_BEFORE_AUTH) == before + 1);
    }

    @Test
    void webSocketFramesSentWithTheLoginAreAnsweredInOrderAfterIt() throws Exception {
        try (RawWsClient text = new RawWsClient("127.0.0.1", comet.websocketPort(), 0);
                RawWsClient binary = new RawWsClient("127.0.0.1", comet.websocketPort(), 0)) {
            text.send(RawWsClient.text("{\"ver\":1,\"op\":7,\"seq\":1,\"body\":6004}"),
                    RawWsClient.text("{\"ver\":1,\"op\":2,\"seq\":2,\"body\":{}}"),
                    RawWsClient.text("{\"ver\":1,\"op\":254,\"seq\":3,\"body\":{}}"));
            assertTrue(text.receive(RawWsClient.TEXT).text().contains("\"op\":8"));
            assertTrue(text.receive(RawWsClient.TEXT).text().contains("\"op\":3"));
            assertTrue(text.receive(RawWsClient.TEXT).text().contains("\"op\":255"));

            // goim v2: several packets in one binary frame.
            binary.send(RawWsClient.frame(RawWsClient.BINARY, concat(packet(Op.AUTH, 1, "6005"),
                    packet(Op.HEARTBEAT, 2, ""), packet(Op.TEST, 3, ""))));
            int[] ops = new int[3];
            for (int i = 0; i < 3; i++) {
                byte[] p = binary.receive(RawWsClient.BINARY).payload();
                ops[i] = java.nio.ByteBuffer.wrap(p).getInt(8);
            }
            assertEquals("[8, 3, 255]", Arrays.toString(ops));
        }
    }

    /**
     * On a comet pipeline of its own (so the test can watch the connection's outbound
     * buffer, which is what the comet holds for it): the client floods pings, reads nothing.
     * Netty's protocol handler kept reading and queued ~2 MB of pongs in 3 s here; now
     * the queue stays near the high-water mark and the client is closed as a slow consumer.
     */
    @Test
    void webSocketPingFloodFromAClientThatReadsNothingIsBoundedAndClosed() throws Exception {
        CometConfig config = TestComets.config(Map.of("comet.logic", "127.0.0.1:" + logic.port(),
                "comet.logic-timeout", "30s", "comet.slow-consumer-timeout", "3s"));
        CometParts context = TestComets.context(config);
        EventLoopGroup group = new NioEventLoopGroup(1);
        AtomicReference<Channel> accepted = new AtomicReference<>();
        WebSocketChannelInitializer ws = context.websocket(null);
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(config.lowWaterMark(), config.highWaterMark()))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.set(ch);
                        ch.pipeline().addLast(ws);
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        long flood = 64L << 20;
        AtomicLong sent = new AtomicLong();
        long maxQueued = 0;
        try (RawWsClient flooder = new RawWsClient("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort(), 4096)) {
            flooder.send(RawWsClient.text("{\"ver\":1,\"op\":7,\"seq\":1,\"body\":6006}"));
            assertTrue(flooder.receive(RawWsClient.TEXT).text().contains("\"op\":8"));
            CompletableFuture<Void> writer = flooder.floodPings(flood, sent);
            Channel ch = accepted.get();
            while (ch.isActive()) {
                ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
                if (out != null) {
                    maxQueued = Math.max(maxQueued, out.totalPendingWriteBytes());
                }
                Thread.sleep(1);
            }
            writer.get(30, TimeUnit.SECONDS);
            assertEquals(1, CometCounts.protocolErrors(context.meters().registry(), ProtocolException.Kind.SLOW_CONSUMER),
                    "closed as a slow consumer");
            assertTrue(sent.get() < flood, "comet stopped reading the pings: the client could write only "
                    + sent.get() + " bytes of " + flood);
            assertTrue(maxQueued <= config.highWaterMark() + 16 * 1024, "pongs queued in comet for the connection: "
                    + maxQueued + " bytes (high-water mark " + config.highWaterMark() + ")");
        } finally {
            server.close().sync();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            TestComets.close(context);
        }
        System.out.println("ping flood: client wrote " + sent.get() + " bytes, comet queued at most " + maxQueued);
        try (TcpTestClient good = new TcpTestClient("127.0.0.1", comet.tcpPort())) {
            good.send(Op.AUTH, 1, "6007");
            assertEquals(Op.AUTH_REPLY, good.receive().op());
            good.send(Op.HEARTBEAT, 2, "");
            assertEquals(Op.HEARTBEAT_REPLY, good.receive().op());
        }
    }
}
