package io.goim.logic;

import io.goim.proto.PushMsg;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Writes {@link PushMsg} records to the push topic. A returned future completes only
 * when Kafka acknowledged the record (with the configured {@code acks}, by default
 * from every in-sync replica), and fails when Kafka did not within the send timeout.
 *
 * <p>Thread-safe. {@code send} may block up to the send timeout while Kafka's metadata
 * is unknown, so it is never called on an event loop.
 */
final class PushProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final Timer acked;
    private final Timer failed;

    /** Sends are timed in {@code registry} as {@code goim_logic_kafka_send_seconds{outcome=ok|error}}. */
    PushProducer(String bootstrapServers, String topic, Duration sendTimeout, Map<String, Object> properties,
            MeterRegistry registry) {
        this.topic = topic;
        acked = sendTimer(registry, "ok");
        failed = sendTimer(registry, "error");
        Map<String, Object> props = new HashMap<>(properties);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "goim-logic");
        int timeout = (int) Math.min(Integer.MAX_VALUE, sendTimeout.toMillis());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (long) timeout);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeout);
        // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
        int linger = Integer.parseInt(String.valueOf(props.getOrDefault(ProducerConfig.LINGER_MS_CONFIG, "0")));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1, timeout - linger));
        producer = new KafkaProducer<>(props);
    }

    private static Timer sendTimer(MeterRegistry registry, String outcome) {
        return Timer.builder("goim_logic_kafka_send")
                .description("Time from send to Kafka's acknowledgement (ok) or failure (error)")
                .tag("outcome", outcome)
                .register(registry);
    }

    /** Sends one record; {@code key} may be null (any partition). */
    CompletableFuture<RecordMetadata> send(String key, PushMsg msg) {
        CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
        long start = System.nanoTime();
        byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        try {
            producer.send(new ProducerRecord<>(topic, k, msg.toByteArray()), (meta, error) -> {
                (error == null ? acked : failed).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                if (error != null) {
                    done.completeExceptionally(error);
                } else {
                    done.complete(meta);
                }
            });
        } catch (RuntimeException e) {
            failed.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
