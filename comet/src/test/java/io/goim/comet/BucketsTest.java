package io.goim.comet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.libs.testing.Await;
import io.goim.proto.Proto;
import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Buckets and rooms: registration, rooms, reconnects, and deliveries under concurrency. */
class BucketsTest {
    private final CometCounters counters = new CometCounters();
    private final Whitelist whitelist = new Whitelist(List.of());
    private final Buckets buckets = new Buckets(8, 2, 100_000, counters, whitelist);
    private final EmbeddedChannel dummy = new EmbeddedChannel();

    @AfterEach
    void tearDown() throws Exception {
        buckets.close();
        dummy.finishAndReleaseAll();
    }

    private Connection conn(String key, int room) {
        return new Connection(key, 1, room, dummy, Wire.TCP);
    }

    private static PushMessage message(String body) {
        return PushMessage.of(ByteBufAllocator.DEFAULT, Proto.newBuilder().setVer(1).setOp(5)
                .setBody(ByteString.copyFromUtf8(body)).build());
    }

    @Test
    void emptyRoomIsDroppedAndRoomsListsOnlyOccupiedRooms() {
        Connection a = conn("1_1", 7);
        Connection b = conn("2_1", 7);
        Connection c = conn("3_1", 9);
        buckets.put(a);
        buckets.put(b);
        buckets.put(c);
        assertEquals(Set.of(7, 9), buckets.roomIds());
        assertEquals(2, buckets.roomOnline(7));
        assertTrue(buckets.remove(c));
        assertEquals(Set.of(7), buckets.roomIds());
        assertTrue(buckets.remove(a));
        assertTrue(buckets.remove(b));
        assertEquals(Set.of(), buckets.roomIds());
        assertEquals(0, buckets.rooms());
        assertEquals(0, buckets.online());
    }

    @Test
    void connectionWithoutRoomIsRegisteredButInNoRoom() {
        buckets.put(conn("0_1", -1));
        assertEquals(1, buckets.online());
        assertEquals(0, buckets.rooms());
    }

    /** goim #377: a reconnect under a still-registered key must not lose the new connection when the old one closes. */
    @Test
    void reconnectUnderRegisteredKeyReplacesOldConnection_goim377() {
        Connection old = conn("5_1", 3);
        Connection fresh = conn("5_1", 3);
        assertNull(buckets.put(old));
        assertSame(old, buckets.put(fresh));
        assertEquals(1, buckets.online());
        assertEquals(1, buckets.roomOnline(3));
        // The old connection's close arrives after the reconnect: it must not remove the new one.
        assertFalse(buckets.remove(old));
        assertSame(fresh, buckets.get("5_1"));
        assertEquals(1, buckets.roomOnline(3));
        assertTrue(buckets.remove(fresh));
        assertEquals(0, buckets.roomOnline(3));
        assertEquals(0, buckets.rooms());
    }

    /** goim #384: the replaced connection must leave its room, so the room's list and count stay right. */
    @Test
    void replacedConnectionLeavesItsRoomEvenWhenTheNewOneIsInAnother_goim384() {
        Connection old = conn("6_1", 1);
        Connection other = conn("7_1", 1);
        buckets.put(old);
        buckets.put(other);
        Connection fresh = conn("6_1", 2);
        buckets.put(fresh);
        assertEquals(1, buckets.roomOnline(1));
        assertEquals(1, buckets.roomOnline(2));
        assertNull(old.room);
        assertFalse(buckets.remove(old)); // late close of the old connection: nothing changes
        assertEquals(1, buckets.roomOnline(1));
        assertEquals(1, buckets.roomOnline(2));
        assertEquals(2, buckets.online());
    }

    /** Runs {@code body(threadId)} on {@code threads} threads started together; rethrows the first failure. */
    private static void runTogether(int threads, java.util.function.IntConsumer body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            done.add(pool.submit(() -> {
                start.await();
                body.accept(id);
                return null;
            }));
        }
        start.countDown();
        try {
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentJoinsAndLeavesLeaveConsistentCounts() throws Exception {
        int threads = 4;
        int perThread = 5_000;
        runTogether(threads, id -> {
            List<Connection> mine = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                Connection c = conn(id + "_" + i, i % 5);
                buckets.put(c);
                mine.add(c);
                if (i % 2 == 1) { // leave every other one, the rest stays
                    assertTrue(buckets.remove(mine.remove(0)));
                }
            }
        });
        assertEquals(threads * perThread / 2, buckets.online());
        int inRooms = 0;
        for (int r = 0; r < 5; r++) {
            inRooms += buckets.roomOnline(r);
        }
        assertEquals(threads * perThread / 2, inRooms);
    }

    @Test
    void racingReconnectsUnderTheSameKeysKeepMapAndRoomsInStep() throws Exception {
        int threads = 4;
        String[] keys = {"1_1", "2_1", "3_1"};
        runTogether(threads, id -> {
            for (int i = 0; i < 5_000; i++) {
                Connection c = conn(keys[(i + id) % keys.length], (i + id) % 4);
                buckets.put(c);   // replaces whoever holds the key
                buckets.remove(c); // a close, possibly after another thread replaced it
                buckets.put(conn(keys[i % keys.length], i % 4)); // and a reconnect that stays
            }
        });
        // Whatever the interleaving: every registered connection is in its room, and no
        // replaced or closed connection stayed in any room.
        int online = buckets.online();
        assertTrue(online >= 1 && online <= keys.length, "online " + online);
        int inRooms = 0;
        for (int r = 0; r < 4; r++) {
            inRooms += buckets.roomOnline(r);
        }
        assertEquals(online, inRooms);
        for (String k : keys) {
            Connection c = buckets.get(k);
            if (c != null) {
                assertEquals(c.roomId, c.room.id);
                assertTrue(buckets.remove(c));
            }
        }
        assertEquals(0, buckets.rooms());
    }

    @Test
    void roomBroadcastsUnderChurnReachEveryStayingMemberExactlyOnce() throws Exception {
        int members = 50;
        int messages = 100;
        try (LocalPeers peers = new LocalPeers()) {
            List<LocalPeers.Peer> staying = new ArrayList<>();
            for (int i = 0; i < members; i++) {
                LocalPeers.Peer p = peers.connect();
                staying.add(p);
                buckets.put(new Connection("m_" + i, i, 1, p.server(), Wire.TCP));
            }
            LocalPeers.Peer churner = peers.connect();
            Thread churn = new Thread(() -> {
                for (int i = 0; i < 2_000; i++) {
                    Connection c = new Connection("c_" + (i % 10), i, 1, churner.server(), Wire.TCP);
                    buckets.put(c);
                    buckets.remove(c);
                }
            });
            churn.start();
            for (int m = 0; m < messages; m++) {
                PushMessage msg = message("{\"m\":" + m + "}");
                buckets.broadcastRoom(1, msg);
                msg.release();
            }
            churn.join();
            // Every write queued has arrived, and every member has at least all messages.
            Await.until("every queued push arrived", Duration.ofSeconds(20),
                    () -> staying.stream().allMatch(p -> p.received().get() >= messages)
                            && churner.received().get() + staying.stream().mapToInt(p -> p.received().get()).sum()
                                    == counters.pushesQueued.sum());
            for (LocalPeers.Peer p : staying) {
                assertEquals(messages, p.received().get()); // none lost, none duplicated
            }
            assertEquals(members, buckets.roomOnline(1));
            assertEquals(1, buckets.roomIds().size());
            assertEquals(0, counters.roomPushesDropped.sum());
        }
    }

    @Test
    void broadcastReachesEveryBucketAndCountsDeliveries() throws Exception {
        try (LocalPeers peers = new LocalPeers()) {
            List<LocalPeers.Peer> all = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                LocalPeers.Peer p = peers.connect();
                all.add(p);
                buckets.put(new Connection(i + "_1", i, i % 3 - 1, p.server(), Wire.TCP));
            }
            PushMessage msg = message("{}");
            int delivered = buckets.broadcast(msg).get(10, TimeUnit.SECONDS);
            msg.release();
            assertEquals(40, delivered);
            Await.until("all received", Duration.ofSeconds(10), () -> all.stream().allMatch(p -> p.received().get() == 1));
        }
    }

    @Test
    void roomMessageIsDroppedAndCountedWhenTheWorkerQueueIsFull() throws Exception {
        RoomWorkers workers = new RoomWorkers("test-room", 1, 1);
        Bucket bucket = new Bucket(workers, counters, whitelist, new LoopBacklog(Buckets.LOOP_BACKLOG));
        bucket.put(conn("1_1", 4));
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        assertTrue(workers.submit(() -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        assertTrue(started.await(5, TimeUnit.SECONDS)); // the worker is busy, its queue empty
        PushMessage first = message("1");
        PushMessage second = message("2");
        bucket.broadcastRoom(4, first);  // fills the one-slot queue
        bucket.broadcastRoom(4, second); // refused
        assertEquals(1, counters.roomPushesDropped.sum());
        second.release();
        assertEquals(0, second.refCnt());
        release.countDown();
        first.release();
        workers.close();
        assertEquals(0, first.refCnt());
    }
}
