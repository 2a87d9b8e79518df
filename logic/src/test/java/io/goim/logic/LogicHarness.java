package io.goim.logic;

import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.config.HostPort;
import io.goim.libs.grpc.GrpcChannels;
import io.goim.libs.lifecycle.Lifecycle;
import io.goim.libs.testing.KafkaBroker;
import io.goim.logic.http.Ret;
import io.goim.proto.ConnectReply;
import io.goim.proto.ConnectReq;
import io.goim.proto.DisconnectReq;
import io.goim.proto.LogicGrpc;
import io.goim.proto.PushMsg;
import io.goim.router.RouterServer;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
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
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Logic as production wires it, with real neighbours in-process: a KRaft Kafka broker,
 * {@code n} router servers on loopback gRPC, and logic itself on free ports. Helpers play
 * the comet (Connect/Disconnect over gRPC), the backend (HTTP) and the job (reading the
 * topic).
 */
final class LogicHarness implements AutoCloseable {
    static final String TOPIC = "KafkaPushsTopic";

    final KafkaBroker kafka;
    final List<RouterServer> routers = new ArrayList<>();
    final LogicServer logic;
    final LogicGrpc.LogicBlockingStub comet;
    private final ManagedChannel channel;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private boolean kafkaStopped;

    LogicHarness(int routerCount, Map<String, Object> logicOverrides) throws Exception {
        this(routerCount, true, logicOverrides);
    }

    /** With {@code withKafka} false, logic points at a closed port (for tests that never reach Kafka). */
    LogicHarness(int routerCount, boolean withKafka, Map<String, Object> logicOverrides) throws Exception {
        try {
            kafka = withKafka ? KafkaBroker.start() : null;
            if (kafka != null) {
                started.push(this::stopKafka);
                kafka.createTopic(TOPIC, 4);
            }
            Map<String, Object> addresses = new HashMap<>();
            for (int i = 0; i < routerCount; i++) {
                RouterServer r = push(RouterServer.start(config(Map.of("router.grpc.port", 0))));
                routers.add(r);
                addresses.put(Integer.toString(i + 1), "127.0.0.1:" + r.grpcPort());
            }
            Map<String, Object> c = new HashMap<>(Map.of(
                    "logic.grpc.port", 0,
                    "logic.http.port", 0,
                    "logic.http.threads", 1,
                    "logic.routers", addresses,
                    "logic.kafka.bootstrap-servers", kafka != null ? kafka.bootstrapServers() : "127.0.0.1:1",
                    "logic.count-refresh", "50ms"));
            // A loaded test machine can take more than the default 1 s to open the first
            // connection to a router; tests of router deadlines set their own.
            c.put("logic.router-timeout", "10s");
            c.putAll(logicOverrides);
            logic = push(LogicServer.start(config(c)));
            channel = GrpcChannels.plaintext(new HostPort("127.0.0.1", logic.grpcPort()));
            started.push(() -> GrpcChannels.close(channel, Duration.ofSeconds(2)));
            comet = LogicGrpc.newBlockingStub(channel).withDeadlineAfter(1, java.util.concurrent.TimeUnit.HOURS);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** Stops the broker now (to test an outage); closing the harness later is still fine. */
    synchronized void stopKafka() throws Exception {
        if (!kafkaStopped) {
            kafkaStopped = true;
            kafka.close();
        }
    }

    static com.typesafe.config.Config config(Map<String, Object> overrides) {
        return ConfigLoader.withDefaults(ConfigFactory.parseMap(overrides));
    }

    private <T extends AutoCloseable> T push(T c) {
        started.push(c);
        return c;
    }

    /** Plays a comet: authenticates {@code token} on comet {@code server}. */
    ConnectReply connect(String token, int server) {
        return comet.connect(ConnectReq.newBuilder().setToken(ByteString.copyFromUtf8(token)).setServer(server).build());
    }

    boolean disconnect(ConnectReply c, int server) {
        return comet.disconnect(DisconnectReq.newBuilder().setKey(c.getKey()).setRooms(c.getRoomKey())
                .setServer(server).build()).getHas();
    }

    HttpResponse<String> post(String pathAndQuery, String body) throws Exception {
        return send("POST", pathAndQuery, body);
    }

    HttpResponse<String> send(String method, String pathAndQuery, String body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + logic.httpPort() + pathAndQuery))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    /** Reads the push topic from its current end, as a job would. */
    TopicReader reader() {
        return new TopicReader(kafka.bootstrapServers());
    }

    /** A consumer positioned at the end of every partition of the topic when created. */
    static final class TopicReader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;

        TopicReader(String bootstrap) {
            consumer = new KafkaConsumer<>(Map.of(
                    "bootstrap.servers", bootstrap,
                    "key.deserializer", ByteArrayDeserializer.class,
                    "value.deserializer", ByteArrayDeserializer.class,
                    "enable.auto.commit", "false"));
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(TOPIC).forEach(p -> parts.add(new TopicPartition(TOPIC, p.partition())));
            consumer.assign(parts);
            consumer.seekToEnd(parts);
            parts.forEach(consumer::position); // resolve the end offsets now, before anything is sent
        }

        /** A record with its key as text (null when unkeyed). */
        record Rec(String key, PushMsg msg) {
        }

        /** Reads until {@code n} records matching {@code filter} arrived; fails after 15 s. */
        List<Rec> read(int n, Predicate<Rec> filter) throws Exception {
            List<Rec> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (out.size() < n) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("got " + out.size() + " of " + n + " records: " + out);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    Rec rec = new Rec(r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8),
                            PushMsg.parseFrom(r.value()));
                    if (filter.test(rec)) {
                        out.add(rec);
                    }
                }
            }
            return out;
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    /** {@code goim_logic_http_requests_total} for {@code ret}'s code, as logic's registry holds it. */
    long httpRequests(Ret ret) {
        return (long) logic.registry().get("goim_logic_http_requests").tag("ret", Integer.toString(ret.code()))
                .counter().count();
    }

    @Override
    public void close() throws Exception {
        Lifecycle stop = new Lifecycle("logic harness");
        while (!started.isEmpty()) {
            AutoCloseable c = started.pollLast(); // oldest first: the lifecycle closes last registered first
            stop.onClose(Lifecycle.Phase.REST, c.getClass().getSimpleName(), c::close);
        }
        stop.close();
    }
}
