package io.goim.e2e;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.goim.comet.CometServer;
import io.goim.job.JobServer;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.testing.KafkaBroker;
import io.goim.logic.LogicServer;
import io.goim.router.RouterServer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * A whole cluster in one JVM: a real KRaft broker, then router, logic, comet and job on
 * free loopback ports, wired as production wires them (only the addresses differ).
 * Closing stops them in reverse order.
 */
final class LocalCluster implements AutoCloseable {
    static final String TOPIC = "KafkaPushsTopic";

    final KafkaBroker kafka;
    final RouterServer router;
    final LogicServer logic;
    final CometServer comet;
    final JobServer job;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    LocalCluster() throws Exception {
        try {
            kafka = push(KafkaBroker.start());
            kafka.createTopic(TOPIC, 4);
            router = push(RouterServer.start(config(Map.of("router.grpc.port", 0))));
            logic = push(LogicServer.start(config(Map.of(
                    "logic.grpc.port", 0,
                    "logic.http.port", 0,
                    "logic.http.threads", 1,
                    "logic.routers", Map.of("1", "127.0.0.1:" + router.grpcPort()),
                    "logic.kafka.bootstrap-servers", kafka.bootstrapServers(),
                    "logic.count-refresh", "100ms"))));
            comet = push(CometServer.start(config(Map.of(
                    "comet.server-id", 1,
                    "comet.tcp.port", 0,
                    "comet.grpc.port", 0,
                    "comet.event-loop-threads", 2,
                    "comet.logic", "127.0.0.1:" + logic.grpcPort()))));
            job = push(JobServer.start(config(Map.of(
                    "job.kafka.bootstrap-servers", kafka.bootstrapServers(),
                    "job.comets", Map.of("1", "127.0.0.1:" + comet.grpcPort())))));
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private <T extends AutoCloseable> T push(T service) {
        started.push(service);
        return service;
    }

    static Config config(Map<String, Object> overrides) {
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
