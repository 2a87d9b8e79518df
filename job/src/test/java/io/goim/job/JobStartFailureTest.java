package io.goim.job;

import static io.goim.job.JobFixture.WAIT;
import static io.goim.job.JobFixture.kafka;
import static io.goim.job.JobFixture.topic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.lifecycle.Lifecycle;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.GrpcPeer;
import io.goim.libs.testing.StartFailures;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Test;

/**
 * A job whose start fails at any step leaves nothing behind: no thread (consumer loop,
 * timer, watcher, Kafka clients), no bound port, no channel open to a comet or to logic.
 */
class JobStartFailureTest {
    private static Config config(String bootstrap, String topic, GrpcPeer comet, GrpcPeer logic, int adminPort) {
        Map<String, Object> c = new HashMap<>();
        c.put("job.kafka.bootstrap-servers", bootstrap);
        c.put("job.kafka.topic", topic);
        c.put("job.kafka.group-id", topic);
        c.put("job.comets", Map.of("1", comet.address()));
        c.put("job.discovery.enabled", true);
        c.put("job.discovery.logic", logic.address());
        c.put("job.comet-poll", "100ms");
        c.put("job.admin.port", adminPort);
        return ConfigLoader.withDefaults(ConfigFactory.parseMap(c));
    }

    private static StartFailures.Check nothingLeft(Set<Thread> before, String topic, int[] ports, GrpcPeer... peers) {
        return after -> {
            StartFailures.awaitThreadsGone(after, before, "job-", "goim-job", topic, "admin");
            StartFailures.awaitBindable(after, ports);
            for (GrpcPeer p : peers) {
                Await.until("channels to " + p.address() + " closed after " + after, WAIT, () -> p.open() == 0);
            }
        };
    }

    @Test
    void aStartFailingAtAnyStepLeavesNothingBehind() throws Exception {
        String topic = topic(1);
        try (GrpcPeer comet = new GrpcPeer(); GrpcPeer logic = new GrpcPeer()) {
            Set<Thread> before = StartFailures.threadsNow();
            int[] ports = StartFailures.freePorts(1);
            Config config = config(kafka().bootstrapServers(), topic, comet, logic, ports[0]);
            List<String> steps = StartFailures.failEachStep("job",
                    l -> JobServer.start(config, UnaryOperator.identity(), l),
                    step -> {
                        if (step.equals("kafka readiness client") || step.equals("admin server")) {
                            // The comet poll and the discovery poll have begun: their channels are open.
                            awaitOpen(comet);
                            awaitOpen(logic);
                        }
                    },
                    nothingLeft(before, topic, ports, comet, logic));
            assertEquals(List.of("timer", "comet clients", "kafka consumer", "comet watcher",
                    "kafka readiness client", "admin server"), steps);
        }
    }

    /** The case that used to leak: Kafka readiness cannot be built once the consumer loop runs. */
    @Test
    void aKafkaReadinessFailureAfterTheConsumerStartedLeavesNothingBehind() throws Exception {
        String topic = topic(1);
        try (GrpcPeer comet = new GrpcPeer(); GrpcPeer logic = new GrpcPeer()) {
            Set<Thread> before = StartFailures.threadsNow();
            int[] ports = StartFailures.freePorts(1);
            // No address resolves: the consumer loop starts (and retries its consumer), then
            // the readiness admin client refuses the bootstrap list.
            Config config = config("unresolvable.invalid:9092", topic, comet, logic, ports[0]);
            List<String> registered = new java.util.ArrayList<>();
            assertThrows(KafkaException.class,
                    () -> JobServer.start(config, UnaryOperator.identity(), new Lifecycle("job", registered::add)));
            assertEquals(List.of("timer", "comet clients", "kafka consumer", "comet watcher"), registered);
            nothingLeft(before, topic, ports, comet, logic).verify("a Kafka readiness failure");
        }
    }

    private static void awaitOpen(GrpcPeer peer) {
        try {
            Await.until("a channel open to " + peer.address(), WAIT, () -> peer.open() > 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
