package io.goim.logic.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.logic.LogicMeters;
import io.goim.logic.PushRefused;
import io.goim.protocol.SubKey;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.RedisExtension;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Redis session store against a real redis-server: what the router tier does, kept in Redis. */
class RedisSessionStoreTest {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();
    private RedisSessionStore store;

    @BeforeEach
    void connect() {
        store = open(Duration.ofHours(1));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static RedisSessionStore open(Duration expire) {
        return open(expire, new SimpleMeterRegistry());
    }

    private static RedisSessionStore open(Duration expire, SimpleMeterRegistry registry) {
        return new RedisSessionStore(new RedisStoreConfig(List.of(redis.uri()), false, Duration.ofSeconds(3), expire),
                new LogicMeters(registry).redisErrors, System::currentTimeMillis);
    }

    private static <T> T get(java.util.concurrent.CompletableFuture<T> f) throws Exception {
        return f.get(5, TimeUnit.SECONDS);
    }

    @Test
    void connectRenewDisconnect() throws Exception {
        assertEquals(1, get(store.put(7, 1, "5")));
        assertEquals(2, get(store.put(7, 1, "5")));
        assertEquals(2, get(store.userCount(7)));
        assertEquals(Map.of(1, List.of("7_1", "7_2")), sorted(get(store.lookup(List.of(7L))).byServer()));

        SessionStore.Renewed r = get(store.touch(1, List.of(new SubKey(7, 1), new SubKey(7, 2)), List.of("5", "5")));
        assertEquals(2, r.refreshed());
        assertEquals(0, r.relearned());

        assertTrue(get(store.del(7, 1, "5")));
        assertFalse(get(store.del(7, 1, "5")), "a second Disconnect of the same key finds nothing");
        assertEquals(1, get(store.userCount(7)));
        assertTrue(get(store.del(7, 2, "5")));
        assertEquals(0, get(store.userCount(7)));
        // The user's record stays for the session expiry, so its next login continues after seq 2.
        assertEquals("2", redis.command("HGET mid_7 seq"));
        assertTrue(Long.parseLong(redis.command("PTTL mid_7").substring(1)) > 0, "and expires");
    }

    @Test
    void aFailedCallIsUnavailableAndCountedByCall() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RedisSessionStore counted = open(Duration.ofHours(1), registry)) {
            assertEquals("+OK", redis.command("SET mid_9 x")); // a string where a hash belongs: WRONGTYPE
            ExecutionException e = assertThrows(ExecutionException.class, () -> get(counted.userCount(9)));
            assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(e.getCause()).getCode());
            assertEquals(1.0, registry.get("goim_logic_redis_errors").tag("call", "user count").counter().count());
        }
    }

    /** A goim v2 connection whose client chose its key: a lookup by mid names it by that key, as its comet does. */
    @Test
    void aLookupByMidNamesAKeyedConnectionByItsClientKey() throws Exception {
        assertEquals(1, get(store.put(11, 1, "live://1000", "web-key-1")));
        assertEquals(2, get(store.put(11, 2, "")));
        assertEquals(Map.of(1, List.of("web-key-1"), 2, List.of("11_2")), sorted(get(store.lookup(List.of(11L))).byServer()));
        assertEquals(2, get(store.userCount(11)), "the key field is not a connection");
        assertEquals(3, get(store.put(11, 1, "")), "the key field takes no seq");

        // A Redis that lost its data relearns the key from the comet's renew.
        assertEquals("+OK", redis.command("FLUSHALL"));
        SessionStore.Renewed r = get(store.touch(1, List.of(new SubKey(11, 1), new SubKey(11, 3)),
                List.of("live://1000", ""), List.of("web-key-1", "")));
        assertEquals(2, r.relearned());
        assertEquals(Map.of(1, List.of("11_3", "web-key-1")), sorted(get(store.lookup(List.of(11L))).byServer()));

        // Disconnect forgets the key with the connection; the user's other connection stays reachable by its subKey.
        assertTrue(get(store.del(11, 1, "live://1000")));
        assertEquals(Map.of(1, List.of("11_3")), sorted(get(store.lookup(List.of(11L))).byServer()));
        assertEquals(":0", redis.command("HEXISTS mid_11 k11_1"));
    }

    /** key_<key> goes at its owner's disconnect, not at its expiry; a key a newer login took over stays. */
    @Test
    void aDisconnectDeletesItsClientKeyUnlessANewerLoginTookItOver() throws Exception {
        assertEquals(1, get(store.put(12, 1, "", "k-a")));
        assertEquals(Map.of(1, List.of("k-a")), get(store.lookupClientKeys(List.of("k-a"))));
        assertTrue(get(store.del(12, 1, "")));
        assertEquals(":0", redis.command("EXISTS key_k-a"), "deleted at the disconnect");
        assertEquals(Map.of(), get(store.lookupClientKeys(List.of("k-a"))));

        assertEquals(2, get(store.put(12, 1, "", "k-b")), "no connection left, and still the seqs go on");
        assertEquals(3, get(store.put(12, 2, "", "k-b")), "the same key from a second login: the newest owns it");
        assertTrue(get(store.del(12, 2, "")), "the old connection closes after the new login");
        assertEquals(Map.of(2, List.of("k-b")), get(store.lookupClientKeys(List.of("k-b"))),
                "the newer login keeps the key");
        assertTrue(get(store.del(12, 3, "")));
        assertEquals(":0", redis.command("EXISTS key_k-b"));
    }

    /** A retried Disconnect of the user's old session, after the user logged in again, keeps the new one. */
    @Test
    void anOldDeleteAfterAReloginKeepsTheNewSession() throws Exception {
        int old = get(store.put(21, 1, "1"));
        assertTrue(get(store.del(21, old, "1", 1)), "the connection closes");
        int fresh = get(store.put(21, 1, "1"));
        assertNotEquals(old, fresh, "a user with no session left does not get its old seq again");
        assertFalse(get(store.del(21, old, "1", 1)), "the Disconnect's retry finds nothing");
        assertEquals(1, get(store.userCount(21)));
        assertEquals(Map.of(1, List.of(SubKey.encode(21, fresh))), get(store.lookup(List.of(21L))).byServer());
        assertEquals(Map.of(1, 1), get(store.allServerCount()), "counted once");
        assertFalse(get(store.del(21, fresh, "1", 2)), "comet 2 does not hold it: left alone");
        assertEquals(1, get(store.userCount(21)));
    }

    /** The comet (or logic) gave up on a login and undid it before its put arrived: the put stores nothing. */
    @Test
    void aLateConnectAfterItsUndoLeavesNoSession() throws Exception {
        long login = 0xfeed_beef_cafeL;
        assertFalse(get(store.undo(22, login)), "nothing stored yet");
        ExecutionException e = assertThrows(ExecutionException.class, () -> get(store.put(22, 1, "1", "", login)));
        assertEquals(io.grpc.Status.Code.CANCELLED, io.grpc.Status.fromThrowable(e.getCause()).getCode());
        assertEquals(0, get(store.userCount(22)));
        assertEquals(Map.of(), get(store.lookup(List.of(22L))).byServer());
        assertEquals(Map.of(), get(store.allServerCount()), "nothing counted");
    }

    @Test
    void aRepeatedLoginGetsItsSessionAndAnUndoDeletesItForGood() throws Exception {
        long login = -7; // ids are any non-zero 64-bit value
        int seq = get(store.put(23, 1, "1", "", login));
        assertEquals(seq, get(store.put(23, 1, "1", "", login)), "the channel's retry of the same Connect");
        assertEquals(1, get(store.userCount(23)), "one session, not two");
        assertTrue(get(store.undo(23, login)));
        assertEquals(0, get(store.userCount(23)));
        assertEquals(Map.of(), get(store.allServerCount()));
        assertThrows(ExecutionException.class, () -> get(store.put(23, 1, "1", "", login)), "a repeat after the undo");
        SessionStore.Renewed r = get(store.touch(1, List.of(new SubKey(23, seq)), List.of("1")));
        assertEquals(List.of(SubKey.encode(23, seq)), r.conflicts(), "a renew crossing the undo does not bring it back");
        assertEquals(0, get(store.userCount(23)));
    }

    @Test
    void renewRelearnsUnderTheSameSeqAndReportsConflicts() throws Exception {
        assertEquals(1, get(store.put(9, 1, "3")));
        assertEquals("+OK", redis.command("FLUSHALL")); // as a Redis that lost its data
        SessionStore.Renewed r = get(store.touch(1, List.of(new SubKey(9, 1), new SubKey(9, 5)), List.of("3", "3")));
        assertEquals(2, r.relearned());
        assertEquals(6, get(store.put(9, 1, "3")), "later logins continue after the relearned seqs");
        SessionStore.Renewed other = get(store.touch(2, List.of(new SubKey(9, 5)), List.of("3")));
        assertEquals(List.of("9_5"), other.conflicts(), "seq 5 is held on comet 1");
        assertEquals(Map.of(1, List.of("9_1", "9_5", "9_6")), sorted(get(store.lookup(List.of(9L))).byServer()));
    }

    @Test
    void lookupOfManyUsersGroupsTheirConnectionsByComet() throws Exception {
        Map<Integer, Set<String>> expected = new java.util.HashMap<>();
        List<Long> users = new ArrayList<>();
        for (long u = 1; u <= 2000; u++) {
            int server = (int) (u % 3) + 1;
            int seq = get(store.put(u, server, ""));
            expected.computeIfAbsent(server, s -> new HashSet<>()).add(SubKey.encode(u, seq));
            users.add(u);
        }
        users.add(99_999L); // offline: simply absent
        long t0 = System.nanoTime();
        Map<Integer, List<String>> found = get(store.lookup(users)).byServer();
        System.out.println("lookup of " + users.size() + " users: " + (System.nanoTime() - t0) / 1000 + " us");
        assertEquals(expected.keySet(), found.keySet());
        expected.forEach((server, keys) -> assertEquals(keys, new HashSet<>(found.get(server))));
    }

    /**
     * A connection's count changes come from different scripts, often from different
     * logics: its login's +1 follows the put, its undo's or disconnect's -1 follows the
     * delete, and in a login storm the -1 may reach the comet's counts first. Neither is
     * lost (the count ends where it began), and meanwhile the comet counts as holding none.
     */
    @Test
    void aCountChangeAheadOfTheOneItFollowsIsKept() throws Exception {
        get(store.put(7, 1, "5")); // comet 1: one connection, in room 5
        RedisClient client = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            RedisScript count = RedisScript.load("count");
            String[] comet2 = {RedisKeys.serverCounts(2), RedisKeys.serverUsers(2)};
            get(c.async().zadd(RedisKeys.SERVERS, (double) System.currentTimeMillis(), "2").toCompletableFuture());
            // Comet 2: a login undone; the undo's -1 is applied before the login's +1.
            get(count.run(c.async(), ScriptOutputType.INTEGER, comet2,
                    "0", "2", RedisKeys.TOTAL_FIELD, "-1", RedisKeys.roomField("5"), "-1"));
            assertEquals(Map.of("5", 1), get(store.allRoomCount()), "comet 2 holds none in room 5 meanwhile");
            assertEquals(Map.of(1, 1), get(store.allServerCount()));
            get(count.run(c.async(), ScriptOutputType.INTEGER, comet2,
                    "0", "2", RedisKeys.TOTAL_FIELD, "1", RedisKeys.roomField("5"), "1"));
            assertEquals(Map.of("5", 1), get(store.allRoomCount()), "the +1 met its -1: still one in room 5");
            assertEquals(Map.of(1, 1), get(store.allServerCount()));
            assertEquals(":0", redis.command("EXISTS " + RedisKeys.serverCounts(2)), "fields back at 0 are gone");
        } finally {
            client.shutdown();
        }
    }

    /** Typed rooms and a connection in several rooms (a room set), moved by a renew as comet reports a change. */
    @Test
    void typedRoomsAndRoomSetsAreCountedPerRoomKey() throws Exception {
        int seq = get(store.put(31, 1, "live://1000"));
        get(store.put(32, 1, "1"));
        assertEquals(Map.of("live://1000", 1, "1", 1), get(store.allRoomCount()));
        get(store.touch(1, List.of(new SubKey(31, seq)), List.of("live://1000\nlive://2,000"))); // joined a room
        assertEquals(Map.of("live://1000", 1, "live://2,000", 1, "1", 1), get(store.allRoomCount()));
        get(store.touch(1, List.of(new SubKey(31, seq)), List.of("live://2,000"))); // left one
        assertEquals(Map.of("live://2,000", 1, "1", 1), get(store.allRoomCount()));
        assertEquals(Map.of(1, List.of("31_" + seq)), sorted(get(store.lookup(List.of(31L))).byServer()),
                "a room key with a comma does not confuse the session's fields");
        assertTrue(get(store.del(31, seq, "live://2,000")));
        assertEquals(Map.of("1", 1), get(store.allRoomCount()));
        assertEquals(Map.of(1, 1), get(store.allServerCount()));
    }

    @Test
    void countsPerRoomAndPerCometFollowEveryChange() throws Exception {
        get(store.put(1, 1, "10"));
        get(store.put(2, 1, "10"));
        get(store.put(3, 2, "10"));
        get(store.put(4, 2, "20"));
        get(store.put(5, 2, "")); // no room: counted for the comet only
        assertEquals(Map.of("10", 3, "20", 1), get(store.allRoomCount()));
        assertEquals(Map.of(1, 2, 2, 3), get(store.allServerCount()));

        get(store.touch(2, List.of(new SubKey(4, 1)), List.of("10"))); // moved rooms
        assertTrue(get(store.del(1, 1, "10")));
        assertEquals(Map.of("10", 3), get(store.allRoomCount()));
        assertEquals(Map.of(1, 1, 2, 3), get(store.allServerCount()));
    }

    @Test
    void theSessionCapCountsEveryLiveConnectionOfTheUser() throws Exception {
        for (int i = 0; i < 64; i++) {
            get(store.put(42, 1 + i % 2, "1"));
        }
        assertEquals(64, get(store.userCount(42)));
        assertEquals(64, get(store.lookup(List.of(42L))).byServer().values().stream().mapToInt(List::size).sum());
    }

    @Test
    void delServerRefusesALiveCometThenDropsItsSessions() throws Exception {
        get(store.put(1, 1, "10"));
        get(store.put(1, 2, "10"));
        get(store.put(2, 1, "10"));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> get(store.delServer(1, Duration.ofMinutes(11))));
        assertEquals(PushRefused.Reason.COMET_ALIVE, assertInstanceOf(PushRefused.class, e.getCause()).reason());
        assertEquals(Map.of(1, 2, 2, 1), get(store.allServerCount()), "a refused del changes nothing");

        get(store.delServer(1, Duration.ZERO));
        assertEquals(Map.of(2, List.of("1_2")), get(store.lookup(List.of(1L, 2L))).byServer());
        assertEquals(Map.of(2, 1), get(store.allServerCount()));
        assertEquals(Map.of("10", 1), get(store.allRoomCount()));
        assertEquals(0, get(store.userCount(2)), "user 2's record (its last seq) stays until it expires");
    }

    @Test
    void connectionsNotRenewedExpire() throws Exception {
        store.close();
        store = open(Duration.ofSeconds(1));
        long start = System.nanoTime(); // before user 5's put: its TTL runs from there, however slow the next put is
        get(store.put(5, 1, "7"));
        get(store.put(6, 1, "7"));
        // user 6 is renewed, user 5 is not
        Await.until("user 5 expired", Duration.ofSeconds(10), () -> {
            try {
                get(store.touch(1, List.of(new SubKey(6, 1)), List.of("7")));
                return get(store.lookup(List.of(5L))).byServer().isEmpty();
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        });
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(900), "not before its expiry");
        Await.until("user 5's key gone by its TTL", Duration.ofSeconds(10), () -> ":0".equals(redis.command("EXISTS mid_5")));
        assertEquals(Map.of(1, List.of("6_1")), get(store.lookup(List.of(5L, 6L))).byServer());
        assertEquals(0, get(store.userCount(5)));
    }

    @Test
    void aRedisRestartedEmptyHasANewIncarnationAndTheStoreReconnects() throws Exception {
        long before = get(store.incarnations()).get(RedisSessionStore.SHARD);
        assertNotEquals(0, before);
        assertEquals(before, get(store.incarnations()).get(RedisSessionStore.SHARD), "stable while Redis keeps its data");
        assertTrue(get(store.ready(Duration.ofSeconds(1))).ready());

        redis.kill();
        assertEquals(0L, get(store.incarnations()).get(RedisSessionStore.SHARD), "0: does not answer");
        assertFalse(get(store.ready(Duration.ofSeconds(1))).ready());
        assertThrows(ExecutionException.class, () -> get(store.put(1, 1, "1")));

        redis.restart();
        Await.until("the store reconnected", Duration.ofSeconds(20), () -> {
            try {
                return get(store.ready(Duration.ofSeconds(1))).ready();
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        });
        long after = get(store.incarnations()).get(RedisSessionStore.SHARD);
        assertNotEquals(0, after);
        assertNotEquals(before, after);
        assertEquals(after, get(store.lookup(List.of(1L))).incarnations().get(RedisSessionStore.SHARD));
        assertEquals(1, get(store.put(1, 1, "1")), "the script cache was empty too: EVAL instead of EVALSHA");
    }

    @Test
    void everyKeyOfOneCometSharesASlotForRedisCluster() {
        assertEquals(RedisKeys.slot(RedisKeys.serverCounts(17)), RedisKeys.slot(RedisKeys.serverUsers(17)));
        // recount.lua touches these three in one script.
        assertEquals(RedisKeys.slot(RedisKeys.serverCounts(17)), RedisKeys.slot(RedisKeys.countDifferences(17)));
        assertEquals(RedisKeys.slot(RedisKeys.serverCounts(17)), RedisKeys.slot(RedisKeys.reportParts(17)));
        assertEquals(RedisKeys.slot("17"), RedisKeys.slot(RedisKeys.serverCounts(17)));
        // Known slots from Redis' CLUSTER KEYSLOT.
        assertEquals(12182, RedisKeys.slot("foo"));
        assertEquals(5061, RedisKeys.slot("bar"));
        assertEquals(RedisKeys.slot("user1000"), RedisKeys.slot("{user1000}.following"));
    }

    private static Map<Integer, List<String>> sorted(Map<Integer, List<String>> byServer) {
        Map<Integer, List<String>> out = new java.util.TreeMap<>();
        byServer.forEach((k, v) -> out.put(k, v.stream().sorted().toList()));
        return out;
    }
}
