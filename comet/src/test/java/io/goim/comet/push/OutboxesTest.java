package io.goim.comet.push;

import io.goim.comet.CometCounts;
import io.goim.comet.CometMeters;
import io.goim.comet.LocalPeers;
import io.goim.comet.TestComets;
import io.goim.comet.Whitelist;
import io.goim.comet.WsClientFrames;
import io.goim.comet.session.Connection;
import io.goim.comet.session.ConnectionRegistry;
import io.goim.comet.transport.Wire;
import io.goim.protocol.RoomKeys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.goim.protocol.Op;
import io.goim.protocol.ProtocolException;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.Counts;
import io.goim.proto.Proto;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pushes wait in their loops' outboxes and leave in one write per connection per pass;
 * nothing is dropped for a full queue; comet's budget refuses calls instead.
 *
 * <p>An {@link EmbeddedChannel}'s loop runs queued tasks only when the test says so, which
 * stands for a loop that is busy while messages arrive.
 */
class OutboxesTest {
    private final ConnectionRegistry buckets = new ConnectionRegistry(8);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CometMeters meters = new CometMeters(registry);
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private Outboxes outboxes = outboxes(1 << 20, 0, 1 << 20);

    /**
     * Room window 0 unless a test says otherwise: every room call is answered once written;
     * no rest: a loop passes whenever it runs.
     */
    private Outboxes outboxes(long maxPending, int roomWindow, long maxBacklog) {
        return new Outboxes(buckets, meters.push, new Whitelist(List.of()), maxPending, roomWindow, PassRest.NONE,
                maxBacklog);
    }

    @AfterEach
    void tearDown() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    private static PushMessage message(String body) {
        return PushMessage.of(ByteBufAllocator.DEFAULT, Proto.newBuilder().setVer(0).setOp(Op.SEND_MSG_REPLY)
                .setBody(ByteString.copyFromUtf8(body)).build());
    }

    /** A connection in {@code room} on its own embedded channel (its own loop), registered as comet does. */
    private Connection join(String key, int room, Wire wire) {
        EmbeddedChannel ch = new EmbeddedChannel();
        channels.add(ch);
        Connection c = new Connection(key, 1, ch, wire);
        outboxes.of(ch.eventLoop());
        buckets.put(c, RoomKeys.ofV1(room));
        return c;
    }

    private static EmbeddedChannel ch(Connection c) {
        return (EmbeddedChannel) c.channel;
    }

    /** Queues {@code bodies} for {@code room}, one call each, releasing the caller's references; returns the calls. */
    private List<CompletableFuture<Integer>> toRoom(int room, String... bodies) {
        List<CompletableFuture<Integer>> calls = new ArrayList<>();
        for (String body : bodies) {
            PushMessage msg = message(body);
            CompletableFuture<Integer> done = new CompletableFuture<>();
            outboxes.toRoom(RoomKeys.ofV1(room), msg, done::complete);
            msg.release();
            calls.add(done);
        }
        return calls;
    }

    @Test
    void roomMessagesQueuedWhileTheLoopIsBusyLeaveInOneWritePerTcpConnectionInOrder() {
        Connection a = join("1_1", 7, Wire.TCP);
        Connection outsider = join("2_1", 8, Wire.TCP);
        List<CompletableFuture<Integer>> calls = toRoom(7, "{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
        assertFalse(calls.get(0).isDone()); // the loop has not run: nothing written, the call waits
        assertNull(ch(a).readOutbound());

        ch(a).runPendingTasks();
        ch(outsider).runPendingTasks();

        ByteBuf out = ch(a).readOutbound();
        ByteBuf expected = ByteBufAllocator.DEFAULT.buffer();
        for (int n = 1; n <= 3; n++) {
            ByteBuf p = TestComets.packet(Op.SEND_MSG_REPLY, 0, "{\"n\":" + n + "}");
            p.setShort(6, 0); // pushes carry version 0
            expected.writeBytes(p);
            p.release();
        }
        assertTrue(ByteBufUtil.equals(expected, out), ByteBufUtil.prettyHexDump(out));
        assertNull(ch(a).readOutbound()); // one write carried all three
        assertNull(ch(outsider).readOutbound());
        for (CompletableFuture<Integer> call : calls) {
            assertEquals(1, call.getNow(-1)); // each message reached the one member
        }
        assertEquals(3, Counts.of(registry, "goim_comet_packets_written"));
        assertEquals(0, outboxes.pending());
        assertEquals(3.0, registry.get("goim_comet_push_merged_messages").summary().max());
        out.release();
        expected.release();
    }

    @Test
    void roomMessagesQueuedWhileTheLoopIsBusyLeaveInOneWebSocketArrayFrameInOrder() {
        Connection ws = join("1_1", 7, Wire.WS_TEXT);
        toRoom(7, "{\"n\":1}", "\"two\"", "{\"n\":3}");
        ch(ws).runPendingTasks();
        TextWebSocketFrame frame = (TextWebSocketFrame) WsClientFrames.decode(ch(ws).readOutbound());
        assertEquals("[{\"ver\":0,\"op\":5,\"seq\":0,\"body\":{\"n\":1}},{\"ver\":0,\"op\":5,\"seq\":0,\"body\":\"two\"},"
                + "{\"ver\":0,\"op\":5,\"seq\":0,\"body\":{\"n\":3}}]", frame.text());
        assertNull(ch(ws).readOutbound());
        frame.release();
    }

    @Test
    void pushesToOneKeyQueuedWhileTheLoopIsBusyAreFlushedOnceInOrder() {
        Connection c = join("1_1", -1, Wire.TCP);
        int[] flushes = {0};
        ch(c).pipeline().addFirst(new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(io.netty.channel.ChannelHandlerContext ctx) {
                flushes[0]++;
                ctx.flush();
            }
        });
        for (int n = 1; n <= 3; n++) {
            PushMessage msg = message("{\"n\":" + n + "}");
            Outboxes.Queued q = outboxes.toKeys(List.of("nobody", "1_1"), msg);
            assertEquals(new Outboxes.Queued(1, 1), q);
            msg.release();
        }
        ch(c).runPendingTasks();
        for (int n = 1; n <= 3; n++) {
            ByteBuf out = ch(c).readOutbound();
            assertTrue(out.toString(io.netty.util.CharsetUtil.UTF_8).endsWith("{\"n\":" + n + "}"));
            out.release();
        }
        assertNull(ch(c).readOutbound());
        assertEquals(1, flushes[0]); // three pushes, one flush: one socket write
    }

    @Test
    void afterARoomPassWhatArrivesWhileTheRoomLaneRestsLeavesTogetherWhenTheRestEnds() {
        outboxes = new Outboxes(buckets, meters.push, new Whitelist(List.of()), 1 << 20, 0,
                new PassRest(1, Duration.ofSeconds(1)), 1 << 20);
        Connection c = join("1_1", 7, Wire.TCP);
        ch(c).freezeTime();
        CompletableFuture<Integer> first = toRoom(7, "{\"n\":1}").get(0);
        ch(c).runPendingTasks();
        assertEquals(1, first.getNow(-1), "after a quiet spell the first message leaves at once");
        ByteBuf one = ch(c).readOutbound();
        assertEquals(16 + 7, one.readableBytes());
        one.release();

        List<CompletableFuture<Integer>> next = toRoom(7, "{\"n\":2}", "{\"n\":3}");
        ch(c).runPendingTasks();
        assertNull(ch(c).readOutbound(), "while the room lane rests no room message is written");
        assertFalse(next.get(0).isDone());
        assertEquals(2 * (16 + 7), outboxes.pending());

        PushMessage toKey = message("{\"k\":4}");
        outboxes.toKeys(List.of("1_1"), toKey);
        toKey.release();
        ch(c).runPendingTasks();
        ByteBuf pushed = ch(c).readOutbound();
        assertEquals(16 + 7, pushed.readableBytes(), "a push to a key never waits for a room's rest");
        pushed.release();

        ch(c).advanceTimeBy(1, TimeUnit.SECONDS); // the rest: as long as the pass took, within a cycle of 1 s
        ch(c).runScheduledPendingTasks();
        assertEquals(1, next.get(0).getNow(-1));
        assertEquals(1, next.get(1).getNow(-1));
        ByteBuf merged = ch(c).readOutbound();
        assertEquals(2 * (16 + 7), merged.readableBytes()); // both room messages in one write
        assertNull(ch(c).readOutbound());
        merged.release();
        assertEquals(0, outboxes.pending());
        assertEquals(2.0, registry.get("goim_comet_push_merged_messages").summary().max());

        ch(c).advanceTimeBy(1, TimeUnit.SECONDS); // a rest with nothing in it: quiet again
        ch(c).runScheduledPendingTasks();
        CompletableFuture<Integer> later = toRoom(7, "{\"n\":5}").get(0);
        ch(c).runPendingTasks();
        assertEquals(1, later.getNow(-1), "after a quiet rest the next message leaves at once again");
        ((ByteBuf) ch(c).readOutbound()).release();
        assertEquals(3, registry.get("goim_comet_push_room_pass").timer().count(), "three room passes were timed");
        assertEquals(4, registry.get("goim_comet_push_room_wait").timer().count(), "each room message's wait was timed");
    }

    @Test
    void pushesWaitingOutARestAreAnsweredWhenTheLoopStops() {
        outboxes = new Outboxes(buckets, meters.push, new Whitelist(List.of()), 1 << 20, 0,
                new PassRest(1, Duration.ofSeconds(1)), 1 << 20);
        Connection c = join("1_1", 7, Wire.TCP);
        ch(c).freezeTime();
        toRoom(7, "{\"n\":1}");
        ch(c).runPendingTasks();
        ((ByteBuf) ch(c).readOutbound()).release();
        CompletableFuture<Integer> waiting = toRoom(7, "{\"n\":2}").get(0);
        ch(c).runPendingTasks();
        assertFalse(waiting.isDone());

        ch(c).close(); // cancels what the loop has scheduled, the end of the rest with it
        assertEquals(0, waiting.getNow(-1), "answered: nothing written, its connection closed");
        assertEquals(0, outboxes.pending());
    }

    @Test
    void pushesEnterThePipelineAtTheCodecSoEverythingBelowItStillSeesThem() {
        List<Object> below = new ArrayList<>();
        List<Object> above = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel();
        channels.add(ch);
        ch.pipeline().addLast("below", recorder(below)); // TLS and backpressure sit here
        ch.pipeline().addLast(Wire.CODEC, new io.goim.protocol.PacketCodec(1024));
        ch.pipeline().addLast("above", recorder(above)); // where the session handler sits
        outboxes.of(ch.eventLoop());
        buckets.put(new Connection("1_1", 1, ch, Wire.TCP), RoomKeys.ofV1(7));
        toRoom(7, "{\"n\":1}");
        ch.runPendingTasks();
        assertEquals(List.of("write", "flush"), below);
        assertEquals(List.of(), above, "an encoded push has nothing to do with the handlers above the codec");
        ByteBuf out = ch.readOutbound();
        assertEquals(16 + 7, out.readableBytes());
        out.release();
    }

    private static io.netty.channel.ChannelOutboundHandlerAdapter recorder(List<Object> seen) {
        return new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg,
                    io.netty.channel.ChannelPromise promise) {
                seen.add("write");
                ctx.write(msg, promise);
            }

            @Override
            public void flush(io.netty.channel.ChannelHandlerContext ctx) {
                seen.add("flush");
                ctx.flush();
            }
        };
    }

    @Test
    void broadcastReachesEveryLoopAndCompletesWithTheNumberWritten() {
        List<Connection> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            all.add(join(i + "_1", i % 2 == 0 ? 3 : -1, i % 2 == 0 ? Wire.TCP : Wire.WS_BINARY));
        }
        PushMessage msg = message("{}");
        CompletableFuture<Integer> done = new CompletableFuture<>();
        outboxes.toAll(msg, done::complete);
        msg.release();
        for (int i = 0; i < 4; i++) {
            ch(all.get(i)).runPendingTasks();
        }
        assertFalse(done.isDone()); // one loop has not written yet
        ch(all.get(4)).runPendingTasks();
        assertEquals(5, done.getNow(-1));
        for (Connection c : all) {
            Object out = ch(c).readOutbound();
            assertTrue(out != null, c + " got nothing");
            io.netty.util.ReferenceCountUtil.release(out);
        }
    }

    @Test
    void roomCallsWithinTheWindowAreAnsweredWhenQueuedTheRestWhenWritten() {
        outboxes = outboxes(1 << 20, 2, 1 << 20);
        Connection c = join("1_1", 7, Wire.TCP);
        List<CompletableFuture<Integer>> calls = toRoom(7, "{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
        assertEquals(-1, calls.get(0).getNow(0)); // answered at once: job may send the room's next batch
        assertEquals(-1, calls.get(1).getNow(0));
        assertFalse(calls.get(2).isDone(), "past the window a call waits for the loops");
        ch(c).runPendingTasks();
        assertEquals(1, calls.get(2).getNow(0));
        ByteBuf out = ch(c).readOutbound();
        assertEquals(3 * (16 + 7), out.readableBytes()); // the three calls left in one write
        assertNull(ch(c).readOutbound());
        out.release();
        assertEquals(-1, toRoom(7, "{\"n\":4}").get(0).getNow(0), "written: the window is free again");
        ch(c).runPendingTasks();
        ((ByteBuf) ch(c).readOutbound()).release();
    }

    @Test
    void aCallWhoseAnswerFailsDoesNotStrandTheOthersInThePass() {
        Connection c = join("1_1", 7, Wire.TCP);
        PushMessage first = message("{\"n\":1}");
        outboxes.toRoom("7", first, written -> {
            throw new IllegalStateException("the caller gave up"); // as gRPC does for a cancelled call
        });
        first.release();
        CompletableFuture<Integer> second = toRoom(7, "{\"n\":2}").get(0);
        ch(c).runPendingTasks();
        assertEquals(1, second.getNow(-1));
        assertEquals(0, outboxes.pending());
        ByteBuf out = ch(c).readOutbound();
        assertEquals(2 * (16 + 7), out.readableBytes());
        out.release();
    }

    @Test
    void aConnectionAboveItsHighWaterMarkStillGetsItsPushes() {
        Connection c = join("1_1", 7, Wire.TCP);
        ch(c).config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        ch(c).write(ByteBufAllocator.DEFAULT.buffer().writeBytes(new byte[64])); // written, not flushed: a backlog
        assertFalse(ch(c).isWritable());
        toRoom(7, "{}");
        ch(c).runPendingTasks();
        ByteBuf backlog = ch(c).readOutbound();
        ByteBuf push = ch(c).readOutbound();
        assertEquals(64, backlog.readableBytes());
        assertEquals(16 + 2, push.readableBytes());
        assertEquals(1, Counts.of(registry, "goim_comet_pushes", "outcome", "queued"));
        assertEquals(0, Counts.of(registry, "goim_comet_pushes", "outcome", "dropped"));
        backlog.release();
        push.release();
    }

    @Test
    void aConnectionWhoseBacklogPassesMaxBacklogIsClosedAsASlowConsumer() {
        outboxes = outboxes(1 << 20, 0, 100);
        Connection slow = join("1_1", 7, Wire.TCP);
        Connection fine = join("2_1", 7, Wire.TCP);
        ch(slow).write(ByteBufAllocator.DEFAULT.buffer().writeBytes(new byte[90]));
        toRoom(7, "{\"n\":1}");
        ch(slow).runPendingTasks();
        ch(fine).runPendingTasks();
        assertFalse(ch(slow).isOpen());
        assertEquals(1, CometCounts.protocolErrors(registry, ProtocolException.Kind.SLOW_CONSUMER));
        assertEquals(1, Counts.of(registry, "goim_comet_pushes", "outcome", "dropped"));
        ByteBuf out = ch(fine).readOutbound();
        assertEquals(16 + 7, out.readableBytes());
        out.release();
    }

    @Test
    void callsAreRefusedWhileMaxPendingBytesWaitAndAdmittedOnceWritten() {
        outboxes = outboxes(10, 0, 1 << 20);
        Connection c = join("1_1", 7, Wire.TCP);
        assertTrue(outboxes.admit());
        CompletableFuture<Integer> first = toRoom(7, "{\"first\":1}").get(0);
        assertEquals(16 + 11, outboxes.pending());
        assertFalse(outboxes.admit()); // the loop is behind: comet says so rather than queueing more
        assertEquals(1.0, registry.get("goim_comet_push_refused").counter().count());
        ch(c).runPendingTasks();
        assertEquals(1, first.getNow(-1));
        assertEquals(0, outboxes.pending());
        assertTrue(outboxes.admit());
        ByteBuf out = ch(c).readOutbound();
        out.release();
    }

    @Test
    void roomMessagesUnderChurnReachEveryStayingMemberExactlyOnceOverRealSockets() throws Exception {
        int members = 50;
        int messages = 100;
        try (LocalPeers peers = new LocalPeers()) {
            List<LocalPeers.Peer> staying = new ArrayList<>();
            for (int i = 0; i < members; i++) {
                LocalPeers.Peer p = peers.connect();
                staying.add(p);
                outboxes.of(p.server().eventLoop());
                buckets.put(new Connection("m_" + i, i, p.server(), Wire.TCP), "1");
            }
            LocalPeers.Peer churner = peers.connect();
            outboxes.of(churner.server().eventLoop());
            Thread churn = new Thread(() -> {
                for (int i = 0; i < 2_000; i++) {
                    Connection c = new Connection("c_" + (i % 10), i, churner.server(), Wire.TCP);
                    buckets.put(c, "1");
                    buckets.remove(c);
                }
            });
            churn.start();
            List<CompletableFuture<Integer>> calls = new ArrayList<>();
            for (int m = 0; m < messages; m++) {
                calls.addAll(toRoom(1, "{\"m\":" + m + "}"));
            }
            churn.join();
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
            Await.until("every member got every message", Duration.ofSeconds(20),
                    () -> staying.stream().allMatch(p -> p.received().get() >= messages));
            for (LocalPeers.Peer p : staying) {
                assertEquals(messages, p.received().get()); // none lost, none duplicated
            }
            assertEquals(0, Counts.of(registry, "goim_comet_pushes", "outcome", "dropped"));
            assertEquals(0, outboxes.pending());
        }
    }

    /**
     * A room round goes bucket by bucket, and what arrives meanwhile joins it: a message
     * offered while the round writes a connection of an early bucket reaches a connection
     * of a later bucket in the same round, merged with the first message into one write,
     * and the early one in the next round, each once and in order. Real channels on one
     * loop (the embedded ones each have their own); the message is offered from inside the
     * round, as a gRPC thread would while the loop writes.
     */
    @Test
    void aMessageArrivingDuringARoundReachesTheBucketsAheadInItAndThosePassedInTheNext() throws Exception {
        String early = null;
        String late = null;
        for (int i = 0; early == null || late == null; i++) {
            int b = io.goim.libs.hash.Buckets.index("k" + i, buckets.bucketCount());
            if (b == 0 && early == null) {
                early = "k" + i;
            } else if (b == buckets.bucketCount() - 1 && late == null) {
                late = "k" + i;
            }
        }
        DefaultEventLoopGroup loop = new DefaultEventLoopGroup(1);
        DefaultEventLoopGroup clients = new DefaultEventLoopGroup(1);
        LocalAddress address = new LocalAddress("outboxes-" + System.nanoTime());
        LinkedBlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        Channel server = new ServerBootstrap().group(loop).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel ch) {
                        accepted.add(ch);
                    }
                }).bind(address).sync().channel();
        try {
            Map<String, List<List<String>>> writes = new ConcurrentHashMap<>();
            CompletableFuture<Integer> second = new CompletableFuture<>();
            for (String key : List.of(early, late)) {
                new Bootstrap().group(clients).channel(LocalChannel.class).handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                    }
                }).connect(address).sync();
                Channel ch = accepted.poll(5, TimeUnit.SECONDS);
                List<List<String>> mine = new CopyOnWriteArrayList<>();
                writes.put(key, mine);
                boolean trigger = key.equals(early);
                ch.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
                    @Override
                    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                        mine.add(bodies((ByteBuf) msg));
                        if (trigger && mine.size() == 1) { // the round is writing the early bucket now
                            PushMessage m2 = message("{\"n\":2}");
                            outboxes.toRoom(RoomKeys.ofV1(7), m2, second::complete);
                            m2.release();
                        }
                        ctx.write(msg, promise);
                    }
                });
                outboxes.of(ch.eventLoop());
                buckets.put(new Connection(key, 1, ch, Wire.TCP), RoomKeys.ofV1(7));
            }
            List<CompletableFuture<Integer>> first = toRoom(7, "{\"n\":1}");
            assertEquals(2, first.get(0).get(5, TimeUnit.SECONDS));
            assertEquals(2, second.get(5, TimeUnit.SECONDS), "the message that joined mid-round reached both");
            assertEquals(List.of(List.of("{\"n\":1}", "{\"n\":2}")), writes.get(late),
                    "the later bucket got both in the round under way, in one write, in order");
            assertEquals(List.of(List.of("{\"n\":1}"), List.of("{\"n\":2}")), writes.get(early),
                    "the bucket already passed got the new message in the next round, once");
            assertEquals(0, outboxes.pending());
        } finally {
            server.close().sync();
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await();
            clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).await();
        }
    }

    /** The bodies of the goim packets laid end to end in {@code packets}. */
    private static List<String> bodies(ByteBuf packets) {
        List<String> bodies = new ArrayList<>();
        for (int i = packets.readerIndex(); i < packets.writerIndex(); ) {
            int packetLength = packets.getInt(i);
            int headerLength = packets.getUnsignedShort(i + 4);
            bodies.add(packets.toString(i + headerLength, packetLength - headerLength, StandardCharsets.UTF_8));
            i += packetLength;
        }
        return bodies;
    }
}
