package io.goim.libs.admin;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;

/**
 * Whether Kafka answers for one topic: a {@code DescribeTopics} through an admin client
 * with a deadline, so {@code /ready} reports a broker outage or a missing topic. The admin
 * client's own I/O thread does the work; {@link #check} never blocks its caller.
 *
 * <p>Thread-safe.
 */
public final class KafkaReadiness implements AutoCloseable {
    private final Admin admin;
    private final String topic;
    private final int timeoutMillis;

    public KafkaReadiness(String bootstrapServers, String topic, Duration timeout, String clientId) {
        this.topic = topic;
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, clientId,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMillis,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMillis));
    }

    /** Ready when the topic is described within the timeout. */
    public CompletableFuture<Readiness> check() {
        return admin.describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(timeoutMillis))
                .allTopicNames()
                .toCompletionStage()
                .toCompletableFuture()
                .handle((topics, error) -> error == null ? Readiness.ok()
                        : Readiness.notReady("kafka topic " + topic + ": " + Readiness.rootCause(error)));
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
