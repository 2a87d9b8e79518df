package io.goim.e2e;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.goim.comet.CometServer;
import io.goim.job.JobServer;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.testing.KafkaBroker;
import io.goim.logic.LogicServer;
import io.goim.router.RouterServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole cluster in one JVM: a real KRaft broker, then routers, logic, comets and jobs on
 * free loopback ports, wired as production wires them (only the addresses differ).
 * Closing stops them in reverse order.
 *
 * <pre>
 * try (LocalCluster c = LocalCluster.builder().routers(3).comets(2).start()) { ... }
 * </pre>
 */
public final class LocalCluster implements AutoCloseable {
    public static final String TOPIC = "KafkaPushsTopic";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    public final KafkaBroker kafka;
    public final List<RouterServer> routers = new ArrayList<>();
    /** Every comet is given all of their gRPC addresses. */
    public final List<LogicServer> logics = new ArrayList<>();
    /** The first logic: {@link #post} goes to it. */
    public final LogicServer logic;
    /** Comet i has server id i + 1. */
    public final List<CometServer> comets = new ArrayList<>();
    public final List<JobServer> jobs = new ArrayList<>();
    /** The first router, comet and job, for tests of a one-of-each cluster. */
    public final RouterServer router;
    public final CometServer comet;
    public final JobServer job;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    /** Every logic's gRPC address, as comets and jobs are given them. */
    private final List<String> logicAddresses = new ArrayList<>();
    private final Map<String, Object> cometConfig;

    /** How many of each service to start, and config overrides per service. */
    public static final class Builder {
        private int routers = 1;
        private int logics = 1;
        private int comets = 1;
        private int jobs = 1;
        private int partitions = 4;
        private final Map<String, Object> routerConfig = new HashMap<>();
        private final Map<String, Object> logicConfig = new HashMap<>();
        private final Map<String, Object> cometConfig = new HashMap<>();
        private final Map<String, Object> jobConfig = new HashMap<>();

        public Builder routers(int n) {
            routers = n;
            return this;
        }

        public Builder logics(int n) {
            logics = n;
            return this;
        }

        public Builder comets(int n) {
            comets = n;
            return this;
        }

        public Builder jobs(int n) {
            jobs = n;
            return this;
        }

        public Builder partitions(int n) {
            partitions = n;
            return this;
        }

        public Builder router(String key, Object value) {
            routerConfig.put(key, value);
            return this;
        }

        public Builder logic(String key, Object value) {
            logicConfig.put(key, value);
            return this;
        }

        public Builder comet(String key, Object value) {
            cometConfig.put(key, value);
            return this;
        }

        public Builder job(String key, Object value) {
            jobConfig.put(key, value);
            return this;
        }

        /** The same peer-auth.secret for every service: internal gRPC then needs it (docs/security.md). */
        public Builder peerSecret(String secret) {
            routerConfig.put("router.peer-auth.secret", secret);
            logicConfig.put("logic.peer-auth.secret", secret);
            cometConfig.put("comet.peer-auth.secret", secret);
            jobConfig.put("job.peer-auth.secret", secret);
            return this;
        }

        public LocalCluster start() throws Exception {
            return new LocalCluster(this);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** One of each service. */
    public LocalCluster() throws Exception {
        this(new Builder());
    }

    private LocalCluster(Builder b) throws Exception {
        cometConfig = b.cometConfig;
        try {
            kafka = push(KafkaBroker.start());
            kafka.createTopic(TOPIC, b.partitions);
            Map<String, Object> routerAddresses = new HashMap<>();
            for (int i = 0; i < b.routers; i++) {
                Map<String, Object> c = new HashMap<>(Map.of("router.grpc.port", 0));
                c.put("router.admin.port", 0);
                c.putAll(b.routerConfig);
                RouterServer r = push(RouterServer.start(config(c)));
                routers.add(r);
                routerAddresses.put(Integer.toString(i + 1), "127.0.0.1:" + r.grpcPort());
            }
            Map<String, Object> lc = new HashMap<>(Map.of(
                    "logic.grpc.port", 0,
                    "logic.http.port", 0,
                    "logic.http.threads", 1,
                    "logic.routers", routerAddresses,
                    "logic.kafka.bootstrap-servers", kafka.bootstrapServers(),
                    "logic.count-refresh", "100ms"));
            lc.put("logic.admin.port", 0);
            // A cold JVM's first router calls on a loaded machine can take over the 1 s default
            // (seen as a failed login in VerticalSliceTest under a parallel build); a test that is
            // about the deadline sets its own.
            lc.put("logic.router-timeout", "10s");
            lc.putAll(b.logicConfig);
            for (int i = 0; i < b.logics; i++) {
                LogicServer l = push(LogicServer.start(config(lc)));
                logics.add(l);
                logicAddresses.add("127.0.0.1:" + l.grpcPort());
            }
            logic = logics.get(0);
            Map<String, Object> cometAddresses = new HashMap<>();
            for (int i = 0; i < b.comets; i++) {
                CometServer comet = push(CometServer.start(cometConfig(i + 1, Map.of())));
                comets.add(comet);
                cometAddresses.put(Integer.toString(i + 1), "127.0.0.1:" + comet.grpcPort());
            }
            for (int i = 0; i < b.jobs; i++) {
                Map<String, Object> c = new HashMap<>(Map.of(
                        "job.kafka.bootstrap-servers", kafka.bootstrapServers(),
                        "job.comets", cometAddresses,
                        // The comets started later are discovered through these logics.
                        "job.discovery.logic", logicAddresses));
                c.put("job.admin.port", 0);
                c.putAll(b.jobConfig);
                jobs.add(push(JobServer.start(config(c))));
            }
            router = routers.isEmpty() ? null : routers.get(0);
            comet = comets.isEmpty() ? null : comets.get(0);
            job = jobs.isEmpty() ? null : jobs.get(0);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** The config of comet {@code serverId} in this cluster, with {@code overrides} on top of the builder's. */
    public Config cometConfig(int serverId, Map<String, Object> overrides) {
        Map<String, Object> c = new HashMap<>(Map.of(
                "comet.server-id", serverId,
                "comet.tcp.port", 0,
                "comet.grpc.port", 0,
                "comet.event-loop-threads", 2,
                // One logic as the single-address form, several as a list.
                "comet.logic", logicAddresses.size() == 1 ? logicAddresses.get(0) : logicAddresses));
        c.put("comet.websocket.port", 0);
        c.put("comet.admin.port", 0);
        // Tests close clusters with clients still open: drain them quickly (CometDrainE2ETest sets its own).
        c.put("comet.drain.window", "200ms");
        c.putAll(cometConfig);
        c.putAll(overrides);
        return config(c);
    }

    /**
     * Starts one more comet, {@code serverId}, that no job lists in job.comets: the jobs find
     * it through discovery. The cluster closes it unless the caller did.
     */
    public CometServer addComet(int serverId, Map<String, Object> overrides) throws Exception {
        return push(CometServer.start(cometConfig(serverId, overrides)));
    }

    /** Every logic's gRPC address ("127.0.0.1:port"). */
    public List<String> logicAddresses() {
        return List.copyOf(logicAddresses);
    }

    private <T extends AutoCloseable> T push(T service) {
        started.push(service);
        return service;
    }

    /** POSTs {@code body} to logic's HTTP API, e.g. {@code post("/1/push?uid=42", "hi")}. */
    public HttpResponse<String> post(String pathAndQuery, String body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + logic.httpPort() + pathAndQuery))
                .timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    }

    public static Config config(Map<String, Object> overrides) {
        return ConfigLoader.withDefaults(ConfigFactory.parseMap(overrides));
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        while (!started.isEmpty()) {
            try {
                started.pop().close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
