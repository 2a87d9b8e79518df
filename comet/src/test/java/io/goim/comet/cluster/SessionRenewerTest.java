package io.goim.comet.cluster;

import io.goim.comet.CometConfig;
import io.goim.comet.CometParts;
import io.goim.comet.TestComets;
import io.goim.comet.session.Connection;
import io.goim.comet.transport.Wire;
import io.goim.protocol.RoomKeys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.libs.testing.Await;
import io.goim.libs.testing.Counts;
import io.goim.proto.LogicGrpc;
import io.goim.proto.RenewReply;
import io.goim.proto.RenewReq;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Renew rounds against a real loopback gRPC logic: batching, counting, conflicts, failures. */
class SessionRenewerTest {

    /** A logic that records Renew calls; keys in {@link #conflicts} come back as conflicts, the rest refreshed. */
    static final class RenewLogic extends LogicGrpc.LogicImplBase {
        final List<RenewReq> calls = new CopyOnWriteArrayList<>();
        final Set<String> conflicts = new HashSet<>();
        final AtomicInteger failFrom = new AtomicInteger(Integer.MAX_VALUE);

        @Override
        public void renew(RenewReq req, StreamObserver<RenewReply> out) {
            calls.add(req);
            if (calls.size() > failFrom.get()) {
                out.onError(Status.UNAVAILABLE.withDescription("router down").asRuntimeException());
                return;
            }
            RenewReply.Builder reply = RenewReply.newBuilder();
            for (String key : req.getKeysList()) {
                if (conflicts.contains(key)) {
                    reply.addConflicts(key);
                } else {
                    reply.setRefreshed(reply.getRefreshed() + 1);
                }
            }
            out.onNext(reply.build());
            out.onCompleted();
        }
    }

    private final RenewLogic logic = new RenewLogic();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private Server server;
    private CometParts comet;
    private SessionRenewer renewer;

    @BeforeEach
    void setUp() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(logic).build().start();
        CometConfig config = TestComets.config(Map.of(
                "comet.logic", "127.0.0.1:" + server.getPort(),
                "comet.server-id", 7,
                "comet.renew-batch", 2,
                "comet.renew-parallel", 1));
        comet = TestComets.context(config);
        renewer = renewer(config, comet);
    }

    @AfterEach
    void tearDown() throws Exception {
        renewer.close();
        TestComets.close(comet);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
    }

    private static SessionRenewer renewer(CometConfig config, CometParts comet) {
        return new SessionRenewer(config, comet.connections(), comet.logic(), comet.meters().renew, comet.whitelist());
    }

    private Connection register(String key, int room) {
        EmbeddedChannel ch = new EmbeddedChannel();
        channels.add(ch);
        Connection c = new Connection(key, Long.parseLong(key.split("_")[0]), ch, Wire.TCP);
        comet.connections().put(c, RoomKeys.ofV1(room));
        return c;
    }

    @Test
    void everyConnectionIsRenewedInBatchesWithItsRoom() {
        for (int i = 1; i <= 5; i++) {
            register(i + "_1", i == 3 ? -1 : 10 + i);
        }
        assertTrue(renewer.renewAll());

        assertEquals(3, logic.calls.size(), "5 keys in batches of 2");
        List<String> keys = new ArrayList<>();
        List<String> rooms = new ArrayList<>();
        for (RenewReq req : logic.calls) {
            assertEquals(7, req.getServer());
            assertTrue(req.getKeysCount() <= 2);
            assertEquals(req.getKeysCount(), req.getRoomsCount());
            keys.addAll(req.getKeysList());
            rooms.addAll(req.getRoomsList());
        }
        assertEquals(Set.of("1_1", "2_1", "3_1", "4_1", "5_1"), new HashSet<>(keys));
        assertEquals("", rooms.get(keys.indexOf("3_1")));
        assertEquals("14", rooms.get(keys.indexOf("4_1")));
        assertEquals(3, Counts.of(comet.meters().registry(), "goim_comet_renew_calls", "outcome", "ok"));
        assertEquals(5, Counts.of(comet.meters().registry(), "goim_comet_renewed_connections", "outcome", "refreshed"));
        assertEquals(0, Counts.of(comet.meters().registry(), "goim_comet_renew_calls", "outcome", "failed"));
    }

    @Test
    void aConflictClosesThatConnectionOnlyAndForgetsItWithoutDisconnect() {
        Connection keep = register("1_1", 1);
        Connection lost = register("2_1", 1);
        logic.conflicts.add("2_1");

        assertTrue(renewer.renewAll());

        assertFalse(lost.channel.isOpen(), "the conflicting connection is closed");
        assertNull(comet.connections().get("2_1"), "and forgotten before it closes, so no Disconnect deletes the other comet's session");
        assertTrue(keep.channel.isOpen());
        assertSame(keep, comet.connections().get("1_1"));
        assertEquals(1, Counts.of(comet.meters().registry(), "goim_comet_renewed_connections", "outcome", "conflict_closed"));
        assertEquals(1, comet.connections().roomOnline("1"));

        assertTrue(renewer.renewAll());
        assertEquals(List.of("1_1"), logic.calls.get(logic.calls.size() - 1).getKeysList(), "the closed one is not renewed again");
    }

    @Test
    void aFailedCallEndsTheRoundAndIsCounted() {
        for (int i = 1; i <= 6; i++) {
            register(i + "_1", 1);
        }
        logic.failFrom.set(1);

        assertFalse(renewer.renewAll(), "the second batch fails");
        assertEquals(2, logic.calls.size(), "the third batch waits for the next round");
        assertEquals(1, Counts.of(comet.meters().registry(), "goim_comet_renew_calls", "outcome", "ok"));
        assertEquals(1, Counts.of(comet.meters().registry(), "goim_comet_renew_calls", "outcome", "failed"));

        logic.failFrom.set(Integer.MAX_VALUE);
        assertTrue(renewer.renewAll());
        assertEquals(5, logic.calls.size());
    }

    /** A logic that holds every Renew call until the test answers it, and tracks how many are outstanding. */
    static final class HoldingLogic extends LogicGrpc.LogicImplBase {
        final BlockingQueue<StreamObserver<RenewReply>> held = new LinkedBlockingQueue<>();
        final AtomicInteger outstanding = new AtomicInteger();
        final AtomicInteger maxOutstanding = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public void renew(RenewReq req, StreamObserver<RenewReply> out) {
            calls.incrementAndGet();
            maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
            held.add(out);
        }

        void answerOne() throws InterruptedException {
            StreamObserver<RenewReply> out = held.poll(10, TimeUnit.SECONDS);
            assertTrue(out != null, "a call arrives");
            outstanding.decrementAndGet();
            out.onNext(RenewReply.newBuilder().setRefreshed(2).build());
            out.onCompleted();
        }
    }

    @Test
    void aRoundKeepsRenewParallelCallsOutstandingAndNoMore() throws Exception {
        HoldingLogic holding = new HoldingLogic();
        Server slow = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(holding).build().start();
        CometConfig config = TestComets.config(Map.of(
                "comet.logic", "127.0.0.1:" + slow.getPort(),
                "comet.renew-batch", 2,
                "comet.renew-parallel", 3));
        CometParts parallel = TestComets.context(config);
        try (SessionRenewer r = renewer(config, parallel)) {
            for (int i = 1; i <= 14; i++) {
                EmbeddedChannel ch = new EmbeddedChannel();
                channels.add(ch);
                parallel.connections().put(new Connection(i + "_1", i, ch, Wire.TCP), "1");
            }
            CompletableFuture<Boolean> round = CompletableFuture.supplyAsync(r::renewAll);
            Await.until("three calls outstanding at once", Duration.ofSeconds(10), () -> holding.held.size() == 3);
            for (int i = 0; i < 7; i++) {
                holding.answerOne();
            }
            assertTrue(round.get(10, TimeUnit.SECONDS));
            assertEquals(7, holding.calls.get(), "14 keys in batches of 2");
            assertEquals(3, holding.maxOutstanding.get(), "never more than renew-parallel calls at once");
            assertEquals(7, Counts.of(parallel.meters().registry(), "goim_comet_renew_calls", "outcome", "ok"));
        } finally {
            TestComets.close(parallel);
            slow.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void anEmptyCometSendsNothing() {
        assertTrue(renewer.renewAll());
        assertEquals(0, logic.calls.size());
    }
}
