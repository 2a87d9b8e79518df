package io.goim.router.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SessionStoreTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final SessionStore store = new SessionStore(8, Duration.ofHours(1), now::get);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void eachConnectionOfAUserGetsTheNextSeq() {
        assertEquals(1, store.put(42, 1, "1"));
        assertEquals(2, store.put(42, 2, "1"));
        assertEquals(1, store.put(43, 1, ""));
        SessionShard.UserConns c = store.get(42);
        assertEquals(2, c.seqs().length);
        assertEquals(2, store.userCount(42));
        assertEquals(3, store.count());
    }

    @Test
    void delRemovesOneConnectionAndItsCounts() {
        int seq = store.put(42, 1, "5");
        store.put(42, 1, "5");
        assertTrue(store.del(42, seq));
        assertFalse(store.del(42, seq), "a second delete finds nothing");
        assertEquals(1, store.roomCount("5"));
        assertEquals(Map.of(1, 1), store.allServerCount());
        assertTrue(store.countersAgreeWithSessions());
    }

    @Test
    void lastConnectionGoneForgetsTheUser() {
        int seq = store.put(42, 1, "1");
        store.del(42, seq);
        assertNull(store.get(42));
        assertEquals(Map.of(), store.allRoomCount());
        assertEquals(Map.of(), store.allServerCount());
    }

    @Test
    void delServerForgetsOnlyThatCometsConnectionsAndFixesEveryCounter() {
        store.put(1, 1, "7");
        store.put(1, 2, "7");
        store.put(2, 1, "8");
        store.put(3, 2, "");
        assertEquals(2, store.delServer(1));
        assertEquals(Map.of(2, 2), store.allServerCount());
        assertEquals(Map.of("7", 1), store.allRoomCount());
        assertNull(store.get(2));
        assertArrayEquals(new int[] {2}, store.get(1).servers());
        assertEquals(2, store.count());
        assertTrue(store.countersAgreeWithSessions());
        assertEquals(0, store.delServer(1));
    }

    @Test
    void delServerWithAnAliveWindowRefusesACometHeardFromWithinItAndSaysWhen() {
        long window = Duration.ofMinutes(11).toNanos();
        int seq = store.put(1, 3, "7");
        advance(Duration.ofSeconds(30));
        SessionStore.DelServerResult r = store.delServer(3, window);
        assertTrue(r.refused(), "comet 3 logged a user in 30 s ago");
        assertEquals(Duration.ofSeconds(30).toNanos(), r.lastHeardNanosAgo());
        assertEquals(1, store.count(), "a refused del forgets nothing");

        advance(Duration.ofMinutes(10));
        store.touch(1, seq, 3, "7"); // its renew round
        advance(Duration.ofMinutes(5));
        assertTrue(store.delServer(3, window).refused(), "a renew 5 min ago: still alive");

        advance(Duration.ofMinutes(7));
        r = store.delServer(3, window);
        assertFalse(r.refused(), "silent for 12 min: down");
        assertEquals(1, r.removed());
        assertEquals(-1, store.delServer(3, window).lastHeardNanosAgo(), "forgotten with its sessions");
    }

    @Test
    void delServerWithoutAWindowForgetsEvenALiveComet() {
        store.put(1, 3, "7");
        SessionStore.DelServerResult r = store.delServer(3, 0);
        assertFalse(r.refused());
        assertEquals(1, r.removed());
        assertEquals(0, r.lastHeardNanosAgo());
    }

    @Test
    void connectionsNotTouchedWithinTheExpiryAreForgottenWithTheirCounts() {
        store.put(1, 1, "7");
        advance(Duration.ofMinutes(30));
        store.put(2, 2, "7");
        advance(Duration.ofMinutes(29));
        assertEquals(0, store.expire(), "nothing is an hour old yet");

        advance(Duration.ofMinutes(1));
        assertEquals(1, store.expire(), "user 1's connection is an hour old");
        assertNull(store.get(1));
        assertEquals(Map.of("7", 1), store.allRoomCount());
        assertEquals(Map.of(2, 1), store.allServerCount());
        assertTrue(store.countersAgreeWithSessions());

        advance(Duration.ofMinutes(30));
        assertEquals(1, store.expire());
        assertEquals(0, store.count());
        assertEquals(Map.of(), store.allRoomCount());
        assertTrue(store.countersAgreeWithSessions());
    }

    @Test
    void aTouchedConnectionOutlivesTheExpiryWhileAnUntouchedSiblingExpires() {
        int live = store.put(42, 1, "1");
        int dead = store.put(42, 2, "1");
        for (int i = 0; i < 5; i++) {
            advance(Duration.ofMinutes(20));
            assertEquals(SessionShard.Touched.REFRESHED, store.touch(42, live, 1, "1"));
            store.expire();
        }
        assertEquals(1, store.userCount(42), "only the untouched connection expired");
        assertArrayEquals(new int[] {live}, store.get(42).seqs());
        assertFalse(store.del(42, dead));
        assertTrue(store.countersAgreeWithSessions());
    }

    @Test
    void touchOfAnUnknownConnectionRelearnsItUnderItsSeqAndLaterPutsSkipIt() {
        assertEquals(SessionShard.Touched.RELEARNED, store.touch(42, 7, 3, "1"));
        assertEquals(1, store.userCount(42));
        assertEquals(Map.of("1", 1), store.allRoomCount());
        assertEquals(Map.of(3, 1), store.allServerCount());
        assertEquals(8, store.put(42, 3, "1"), "a new connection never gets a relearned seq");
        assertTrue(store.countersAgreeWithSessions());
    }

    @Test
    void touchOfASeqHeldOnAnotherCometIsAConflictAndChangesNothing() {
        int seq = store.put(42, 1, "1");
        assertEquals(SessionShard.Touched.CONFLICT, store.touch(42, seq, 2, "1"));
        assertArrayEquals(new int[] {1}, store.get(42).servers());
        assertEquals(Map.of(1, 1), store.allServerCount());
        assertTrue(store.countersAgreeWithSessions());
    }

    @Test
    void aConnectionInSeveralRoomsCountsInEachAndLeavesThemAll() {
        int seq = store.put(42, 1, "live://1000");
        store.put(43, 1, "live://1000");
        assertEquals(SessionShard.Touched.REFRESHED, store.touch(42, seq, 1, "live://1000\nlive://2000"));
        assertEquals(Map.of("live://1000", 2, "live://2000", 1), store.allRoomCount());
        assertEquals(1, store.roomCount("live://2000"));
        assertTrue(store.countersAgreeWithSessions());
        assertTrue(store.del(42, seq));
        assertEquals(Map.of("live://1000", 1), store.allRoomCount());
        assertTrue(store.countersAgreeWithSessions());
    }

    @Test
    void touchWithAnotherRoomMovesTheConnectionsRoomCount() {
        int seq = store.put(42, 1, "1");
        assertEquals(SessionShard.Touched.REFRESHED, store.touch(42, seq, 1, "9"));
        assertEquals(Map.of("9", 1), store.allRoomCount());
        assertTrue(store.countersAgreeWithSessions());
    }

    @Test
    void expiryAfterDelAndDelServerFindsNothingLeftToForget() {
        int seq = store.put(1, 1, "1");
        store.put(2, 2, "1");
        store.del(1, seq);
        store.delServer(2);
        advance(Duration.ofHours(2));
        assertEquals(0, store.expire());
        assertTrue(store.countersAgreeWithSessions());
    }
}
