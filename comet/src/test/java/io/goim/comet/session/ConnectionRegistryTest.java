package io.goim.comet.session;

import io.goim.comet.transport.Wire;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.protocol.RoomKeys;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ConnectionRegistry and rooms: registration, rooms and reconnects, under concurrency. */
class ConnectionRegistryTest {
    private final ConnectionRegistry real = new ConnectionRegistry(8);
    /** The room each test connection logs in to, as logic's Connect reply would say. */
    private final Map<Connection, String> loginRoom = Collections.synchronizedMap(new IdentityHashMap<>());
    /** The buckets, through the v1 room numbers these tests speak. */
    private final V1 buckets = new V1();

    private final class V1 {
        Connection put(Connection c) {
            return real.put(c, loginRoom.get(c));
        }

        boolean remove(Connection c) {
            return real.remove(c) != null;
        }

        int roomOnline(int room) {
            return real.roomOnline(RoomKeys.ofV1(room));
        }

        Set<Integer> roomIds() {
            Set<Integer> ids = new TreeSet<>();
            real.roomKeys().forEach(k -> ids.add(RoomKeys.v1Id(k)));
            return ids;
        }

        int rooms() {
            return real.rooms();
        }

        int online() {
            return real.online();
        }

        Connection get(String key) {
            return real.get(key);
        }
    }
    private final EmbeddedChannel dummy = new EmbeddedChannel();

    @AfterEach
    void tearDown() {
        dummy.finishAndReleaseAll();
    }

    private Connection conn(String key, int room) {
        Connection c = new Connection(key, 1, dummy, Wire.TCP);
        loginRoom.put(c, RoomKeys.ofV1(room));
        return c;
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
                assertEquals(loginRoom.get(c), c.room.key);
                assertTrue(buckets.remove(c));
            }
        }
        assertEquals(0, buckets.rooms());
    }
}
