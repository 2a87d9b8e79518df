package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.goim.protocol.Op;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.RedisServer;
import io.goim.libs.testing.TcpTestClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * goim v2 clients that chose their keys, with the Redis session store: a push by mid reaches
 * such a connection (its comet knows it by its key, not its subKey), next to a v2 client
 * with a generated key; and the key's {@code key_<key>} entry goes at the disconnect.
 */
@ClusterTest
class RedisV2KeysE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aPushByMidReachesAKeyedV2ConnectionAndItsKeyGoesAtDisconnect(LocalCluster.Builder newCluster) throws Exception {
        try (RedisServer redis = RedisServer.start();
                LocalCluster cluster = newCluster.redisSessions(redis.uri()).start();
                TcpTestClient keyed = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort());
                TcpTestClient generated = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort())) {
            keyed.send(Op.AUTH, 1, "{\"mid\":8101,\"key\":\"redis-k1\",\"room_id\":\"live://81\",\"accepts\":[1000]}");
            assertEquals(Op.AUTH_REPLY, keyed.receive().op());
            generated.send(Op.AUTH, 1, "{\"mid\":8102,\"key\":\"\",\"accepts\":[1000]}");
            assertEquals(Op.AUTH_REPLY, generated.receive().op());
            assertEquals("1,8101_1", redis.command("GET key_redis-k1"), "key_<key> names the connection (comet 1, subKey 8101_1)");
            assertEquals("redis-k1", redis.command("HGET mid_8101 k8101_1"), "and the session its key");

            post(cluster, "/goim/push/mids?operation=1000&mids=8101&mids=8102", "by-mid");
            TcpTestClient.Received got = keyed.receive();
            assertEquals(1000, got.op());
            assertEquals("by-mid", got.bodyText());
            assertEquals("by-mid", generated.receive().bodyText());
            post(cluster, "/goim/push/keys?operation=1000&keys=redis-k1", "by-key");
            assertEquals("by-key", keyed.receive().bodyText());

            keyed.close();
            Await.until("key_redis-k1 deleted at the disconnect", Duration.ofSeconds(10),
                    () -> redis.command("EXISTS key_redis-k1").equals(":0"));
            // The user's hash stays (its last seq, so the seq is not handed out again); the session goes.
            Await.until("the session gone with its key field", Duration.ofSeconds(10),
                    () -> redis.command("HEXISTS mid_8101 8101_1").equals(":0")
                            && redis.command("HEXISTS mid_8101 k8101_1").equals(":0"));
            // The other client is still reached by mid.
            post(cluster, "/goim/push/mids?operation=1000&mids=8102", "after");
            assertEquals("after", generated.receive().bodyText());
        }
    }

    private static void post(LocalCluster cluster, String pathAndQuery, String body) throws Exception {
        var res = cluster.post(pathAndQuery, body);
        assertEquals(200, res.statusCode(), res.body());
        assertEquals(0, JSON.readTree(res.body()).get("code").asInt(), res.body());
    }
}
