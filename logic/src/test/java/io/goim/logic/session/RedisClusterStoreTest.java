package io.goim.logic.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.libs.testing.Await;
import io.goim.libs.testing.RedisServer;
import io.goim.logic.LogicMeters;
import io.goim.proto.CometInstance;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Redis session store on a real Redis Cluster ({@code logic.session.redis.cluster = true}):
 * three redis-server masters on loopback, the 16,384 slots split between them, joined with
 * CLUSTER MEET. Users spread over every master; each script touches the keys of one slot
 * (a user's hash, or one comet's count keys), so logins, lookups, undos, disconnects,
 * counts and their correction, and comet announcements work as on one Redis.
 */
class RedisClusterStoreTest {
    private static final List<RedisServer> nodes = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        int[][] slots = {{0, 5460}, {5461, 10922}, {10923, 16383}};
        for (int[] range : slots) {
            RedisServer n = RedisServer.start("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf");
            nodes.add(n);
            assertEquals("+OK", n.command("CLUSTER ADDSLOTSRANGE " + range[0] + " " + range[1]));
        }
        for (RedisServer n : nodes.subList(1, nodes.size())) {
            assertEquals("+OK", n.command("CLUSTER MEET 127.0.0.1 " + nodes.get(0).port()));
        }
        Await.until("the cluster's state ok on every node", Duration.ofSeconds(30),
                () -> nodes.stream().allMatch(n -> "cluster_state:ok".equals(n.command("CLUSTER INFO"))));
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (RedisServer n : nodes) {
            n.close();
        }
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    /** Which master (0, 1, 2) holds {@code key}. */
    private static int master(String key) {
        int slot = RedisKeys.slot(key);
        return slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2;
    }

    @Test
    void sessionsCountsAndCorrectionsAcrossThreeMasters() throws Exception {
        List<String> seeds = nodes.stream().map(RedisServer::uri).toList();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RedisSessionStore store = new RedisSessionStore(new RedisStoreConfig(seeds, true, Duration.ofSeconds(3),
                Duration.ofHours(1)), new LogicMeters(registry).redisErrors, System::currentTimeMillis);
        try {
            int users = 120;
            int[] perMaster = new int[3];
            Map<Long, Integer> seqs = new HashMap<>();
            for (long u = 1; u <= users; u++) {
                perMaster[master(RedisKeys.user(u))]++;
                seqs.put(u, get(store.put(u, (int) (1 + u % 2), u % 3 == 0 ? "2" : "1")));
            }
            for (int m = 0; m < 3; m++) {
                assertTrue(perMaster[m] > 0, "users on every master: " + java.util.Arrays.toString(perMaster));
            }

            Map<Integer, List<String>> found = get(store.lookup(new ArrayList<>(seqs.keySet()))).byServer();
            assertEquals(users / 2, found.get(1).size());
            assertEquals(users / 2, found.get(2).size());
            assertEquals(Map.of(1, users / 2, 2, users / 2), get(store.allServerCount()));
            assertEquals(Map.of("1", 80, "2", 40), get(store.allRoomCount()));

            // A login undone by its id, and a Disconnect: both leave the counts.
            long login = 0x5eedL;
            int seq = get(store.put(500, 1, "1", "", login));
            assertTrue(get(store.undo(500, login)));
            assertTrue(get(store.del(3, seqs.get(3L), "2", 2)));
            assertEquals(Map.of(1, users / 2, 2, users / 2 - 1), get(store.allServerCount()));
            assertEquals(Map.of("1", 80, "2", 39), get(store.allRoomCount()));
            assertEquals(0, get(store.userCount(500)), "undone: seq " + seq + " gone");

            // A count off on comet 1 (a lost update) is corrected by two reports that agree.
            nodes.get(master(RedisKeys.serverCounts(1))).command("HINCRBY " + RedisKeys.serverCounts(1) + " n 5");
            Map<String, Integer> rooms = Map.of("1", 40, "2", 20);
            get(store.correctCounts(1, rooms, users / 2, SessionStore.ReportPart.WHOLE));
            assertEquals(1, get(store.correctCounts(1, rooms, users / 2, SessionStore.ReportPart.WHOLE)));
            assertEquals(Map.of(1, users / 2, 2, users / 2 - 1), get(store.allServerCount()));
            // Discovery: announcements live in the store too.
            get(store.directory().announce(CometInstance.newBuilder().setServer(5).setIncarnation(77)
                    .setGrpc("127.0.0.1:7000").setTtlMs(60_000).build()));
            assertEquals(List.of(5), get(store.directory().comets()).stream().map(CometInstance::getServer).toList());
            get(store.directory().withdraw(5, 77));
            assertEquals(List.of(), get(store.directory().comets()));
            assertEquals(0.0, registry.find("goim_logic_redis_errors").counters().stream()
                    .mapToDouble(c -> c.count()).sum(), "no Redis call failed");
        } finally {
            store.close();
        }
    }
}
