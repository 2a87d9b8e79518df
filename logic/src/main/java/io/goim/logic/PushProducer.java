package io.goim.logic;

import io.goim.proto.PushMsg;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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

    PushProducer(String bootstrapServers, String topic, Duration sendTimeout, Map<String, Object> properties) {
        this.topic = topic;
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

    /** Sends one record; {@code key} may be null (any partition). */
    CompletableFuture<RecordMetadata> send(String key, PushMsg msg) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        try {
            producer.send(new ProducerRecord<>(topic, k, msg.toByteArray()), (meta, error) -> {
                if (error != null) {
                    acked.completeExceptionally(error);
                } else {
                    acked.complete(meta);
                }
            });
        } catch (RuntimeException e) {
            acked.completeExceptionally(e);
        }
        return acked;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
