package io.goim.logic.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.config.Settings;
import io.goim.libs.testing.RawHttp;
import io.goim.logic.LogicMeters;
import io.goim.proto.CometInstance;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The nodes API over a real socket: goim v2's envelope and fields, the client endpoint open
 * without an API key while the operator one (and the push API) still need it.
 */
class NodesEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CometInstance COMET = CometInstance.newBuilder().setServer(4).setHostname("c4")
            .addTcp("198.51.100.4:3101").addWebsocket("198.51.100.4:3102").setGrpc("10.0.0.4:8092")
            .setConnections(12).setWeight(10).setTtlMs(10_000).build();
    private HttpApiServer server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close(Duration.ofSeconds(2));
        }
    }

    private int start(Map<String, Object> nodes) throws InterruptedException {
        NodesConfig config = NodesConfig.read(Settings.of(ConfigLoader.withDefaults(ConfigFactory.parseMap(nodes)),
                "logic").section("nodes"));
        NodesEndpoint.Source source = new NodesEndpoint.Source() {
            @Override
            public List<CometInstance> weighted(int max) {
                return List.of(COMET);
            }

            @Override
            public List<CometInstance> instances() {
                return List.of(COMET);
            }
        };
        server = new HttpApiServer(new InetSocketAddress("127.0.0.1", 0), 1, 1 << 10, 16, HttpApiServer.DEFAULT_LIMITS,
                new SimpleMeterRegistry(), new HttpApiHandler(new HttpApiDrainTest.HeldPushes(), new LogicMeters(new SimpleMeterRegistry()).http,
                        ApiKeys.of(List.of(ApiKeys.hash("operator key"))), new NodesEndpoint(source, config)));
        return server.port();
    }

    @Test
    void weightedIsGoimV2sShapeAndOpenToClientsInstancesNeedsTheKey() throws Exception {
        try (RawHttp c = new RawHttp(start(Map.of("logic.nodes.host-domain", ".goim.io")))) {
            c.write(RawHttp.request("GET", "/goim/nodes/weighted", ""));
            RawHttp.Response r = c.read();
            assertEquals(200, r.status(), r.body());
            JsonNode answer = JSON.readTree(r.body());
            assertEquals(0, answer.get("code").asInt());
            assertEquals("", answer.get("message").asText());
            JsonNode data = answer.get("data");
            assertEquals(3101, data.get("tcp_port").asInt());
            assertEquals(3102, data.get("ws_port").asInt());
            assertEquals(240, data.get("heartbeat").asInt());
            assertEquals(2, data.get("heartbeat_max").asInt());
            assertEquals(300, data.get("backoff").get("max_delay").asInt());
            assertEquals("[\"198.51.100.4\"]", data.get("nodes").toString());
            assertEquals(12, data.get("comets").get(0).get("connections").asInt());

            c.write(RawHttp.request("GET", "/goim/nodes/weighted?platform=web", ""));
            assertEquals("[\"c4.goim.io\"]", JSON.readTree(c.read().body()).get("data").get("nodes").toString());

            c.write(RawHttp.request("GET", "/goim/nodes/instances", ""));
            assertEquals(401, c.read().status(), "internal addresses: the key is needed");
            c.write(RawHttp.request("GET", "/goim/nodes/instances", "", "Authorization: Bearer operator key"));
            RawHttp.Response instances = c.read();
            assertEquals(200, instances.status());
            JsonNode one = JSON.readTree(instances.body()).get("data").get(0);
            assertEquals("grpc://10.0.0.4:8092", one.get("addrs").get(0).asText());
            assertEquals("12", one.get("metadata").get("conn_count").asText());

            c.write(RawHttp.request("POST", "/1/push?uid=1", "x"));
            assertEquals(401, c.read().status(), "the push API still needs the key");
            c.write(RawHttp.request("POST", "/goim/nodes/weighted", ""));
            assertEquals(405, c.read().status());
        }
    }

    @Test
    void configuredPortsAndDomainWinAndNoCometAnswersTheDomain() throws Exception {
        NodesConfig config = NodesConfig.read(Settings.of(ConfigLoader.withDefaults(ConfigFactory.parseMap(Map.of(
                "logic.nodes.domain", "conn.goim.io", "logic.nodes.tcp-port", 3101))), "logic").section("nodes"));
        NodesEndpoint empty = new NodesEndpoint(new NodesEndpoint.Source() {
            @Override
            public List<CometInstance> weighted(int max) {
                return List.of();
            }

            @Override
            public List<CometInstance> instances() {
                return List.of();
            }
        }, config);
        JsonNode data = empty.answer(io.netty.handler.codec.http.HttpMethod.GET, NodesEndpoint.WEIGHTED, Map.of())
                .get("data");
        assertEquals("[\"conn.goim.io\"]", data.get("nodes").toString());
        assertEquals(3101, data.get("tcp_port").asInt());
        assertTrue(data.get("comets").isEmpty());
    }
}
