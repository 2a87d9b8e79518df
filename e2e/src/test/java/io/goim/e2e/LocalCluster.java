package io.goim.e2e;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.goim.comet.CometServer;
import io.goim.job.JobServer;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.testing.Await;
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
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A whole cluster in one JVM on a real KRaft broker: routers, logic, comets and jobs on
 * free loopback ports, wired as production wires them (only the addresses differ).
 * Closing stops them in reverse order; the broker is the test run's, shared with every
 * other cluster (see {@link SharedCluster}), so each cluster has its own push topic and
 * job group and never sees another's records.
 *
 * <p>A test is handed a {@link Builder} (or the run's standard cluster) by
 * {@link SharedCluster}:
 * <pre>
 * &#64;Test void t(LocalCluster.Builder own) { LocalCluster c = own.routers(3).comets(2).start(); ... }
 * </pre>
 */
public final class LocalCluster implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Numbers clusters, topics and test ids in this JVM, so no two are the same. */
    private static final AtomicLong SEQUENCE = new AtomicLong();

    public final KafkaBroker kafka;
    /** The topic logic writes pushes to and the jobs read: this cluster's own. */
    public final String topic;
    private final String jobGroup;
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
    private final Map<String, Object> cometAddresses = new HashMap<>();
    private final Map<String, Object> routerConfig;
    private final Map<String, Object> cometConfig;
    private final Map<String, Object> jobConfig;

    /** How many of each service to start, and config overrides per service. */
    public static final class Builder {
        private final KafkaBroker kafka;
        /** What this builder started, closed by {@link SharedCluster} when the test (or class) that asked is done. */
        private final List<LocalCluster> built = new ArrayList<>();
        private int routers = 1;
        private int logics = 1;
        private int comets = 1;
        private int jobs = 1;
        private int partitions = 4;
        private final Map<String, Object> routerConfig = new HashMap<>();
        private final Map<String, Object> logicConfig = new HashMap<>();
        private final Map<String, Object> cometConfig = new HashMap<>();
        private final Map<String, Object> jobConfig = new HashMap<>();

        Builder(KafkaBroker kafka) {
            this.kafka = kafka;
        }

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

        /** Logic keeps its sessions in the Redis at {@code uri} instead of the routers. */
        public Builder redisSessions(String uri) {
            logicConfig.put("logic.session.store", "redis");
            logicConfig.put("logic.session.redis.uris", List.of(uri));
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
            LocalCluster c = new LocalCluster(this);
            built.add(c);
            return c;
        }

        /** Closes every cluster this builder started (closing one twice does nothing). */
        void closeStarted() throws Exception {
            Deque<LocalCluster> lastFirst = new ArrayDeque<>();
            built.forEach(lastFirst::push);
            built.clear();
            closeAll(lastFirst);
        }
    }

    private LocalCluster(Builder b) throws Exception {
        kafka = b.kafka;
        long n = SEQUENCE.incrementAndGet();
        topic = "pushes-" + n;
        jobGroup = "goim-push-group-" + n;
        routerConfig = b.routerConfig;
        cometConfig = b.cometConfig;
        jobConfig = b.jobConfig;
        try {
            kafka.createTopic(topic, b.partitions);
            Map<String, Object> routerAddresses = new HashMap<>();
            for (int i = 0; i < b.routers; i++) {
                RouterServer r = push(RouterServer.start(routerConfig(Map.of())));
                routers.add(r);
                routerAddresses.put(Integer.toString(i + 1), "127.0.0.1:" + r.grpcPort());
            }
            Map<String, Object> lc = new HashMap<>(Map.of(
                    "logic.grpc.port", 0,
                    "logic.http.port", 0,
                    "logic.http.threads", 1,
                    "logic.routers", routerAddresses,
                    "logic.kafka.bootstrap-servers", kafka.bootstrapServers(),
                    "logic.kafka.topic", topic,
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
            for (int i = 0; i < b.comets; i++) {
                CometServer comet = push(CometServer.start(cometConfig(i + 1, Map.of())));
                comets.add(comet);
                cometAddresses.put(Integer.toString(i + 1), "127.0.0.1:" + comet.grpcPort());
            }
            for (int i = 0; i < b.jobs; i++) {
                addJob();
            }
            router = routers.isEmpty() ? null : routers.get(0);
            comet = comets.isEmpty() ? null : comets.get(0);
            job = jobs.isEmpty() ? null : jobs.get(0);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /**
     * A router's config in this cluster with {@code overrides} on top of the builder's: e.g.
     * a router restarted on the port of one the test closed.
     */
    public Config routerConfig(Map<String, Object> overrides) {
        Map<String, Object> c = new HashMap<>(Map.of("router.grpc.port", 0, "router.admin.port", 0));
        c.putAll(routerConfig);
        c.putAll(overrides);
        return config(c);
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
     * A job's config in this cluster: its broker, topic and group, the comets it was started
     * with, and the logics through which it discovers later ones.
     */
    public Config jobConfig(Map<String, Object> overrides) {
        Map<String, Object> c = new HashMap<>(Map.of(
                "job.kafka.bootstrap-servers", kafka.bootstrapServers(),
                "job.kafka.topic", topic,
                "job.kafka.group-id", jobGroup,
                "job.comets", cometAddresses,
                // The comets started later are discovered through these logics.
                "job.discovery.logic", logicAddresses));
        c.put("job.admin.port", 0);
        c.putAll(jobConfig);
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

    /** Starts one more job in the cluster's group. The cluster closes it unless the caller did. */
    public JobServer addJob() throws Exception {
        JobServer j = push(JobServer.start(jobConfig(Map.of())));
        jobs.add(j);
        return j;
    }

    /** Every logic's gRPC address ("127.0.0.1:port"). */
    public List<String> logicAddresses() {
        return List.copyOf(logicAddresses);
    }

    /**
     * A number no other caller in this JVM is given, for a test's user ids, rooms and keys:
     * on a cluster tests share, pushes to them reach only that test's clients.
     */
    public long newId() {
        return 1_000_000 + SEQUENCE.incrementAndGet();
    }

    /** Reads {@code topic} from the beginning until at least {@code n} records arrived (in order within a partition). */
    public List<ConsumerRecord<byte[], byte[]>> records(String topic, int n, Duration wait) throws Exception {
        Map<String, Object> props = Map.of("bootstrap.servers", kafka.bootstrapServers(),
                "key.deserializer", ByteArrayDeserializer.class, "value.deserializer", ByteArrayDeserializer.class,
                "enable.auto.commit", "false");
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> parts = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Await.until(n + " records in " + topic, wait, () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= n;
            });
        }
        return out;
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

    /** GETs {@code pathAndQuery} from logic's HTTP API. */
    public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + logic.httpPort() + pathAndQuery))
                .timeout(Duration.ofSeconds(15))
                .GET()
                .build();
        return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    }

    public static Config config(Map<String, Object> overrides) {
        return ConfigLoader.withDefaults(ConfigFactory.parseMap(overrides));
    }

    /** Stops every service in reverse start order; the shared broker stays up. */
    @Override
    public void close() throws Exception {
        closeAll(started);
    }

    /** Closes and removes every element, last first; the first failure is thrown after all were tried. */
    private static void closeAll(Deque<? extends AutoCloseable> resources) throws Exception {
        Exception first = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
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
