package io.goim.libs.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the services that write to Kafka share: producer settings under which every send
 * is answered within a send timeout, and a send whose future completes only on Kafka's
 * acknowledgement.
 */
public final class KafkaProducers {
    private KafkaProducers() {
    }

    /**
     * Properties of a {@code byte[]}-keyed, {@code byte[]}-valued producer: {@code extra}
     * (the operator's, e.g. {@code acks}) plus the bootstrap servers, the serializers, a
     * default client id, and {@code sendTimeout} as both the longest time {@code send()}
     * may block (unknown metadata, full buffer: {@code max.block.ms}) and the longest wait
     * for the acknowledgement ({@code delivery.timeout.ms}).
     */
    public static Map<String, Object> properties(String bootstrapServers, String clientId, Duration sendTimeout,
            Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(extra);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        int timeout = (int) Math.min(Integer.MAX_VALUE, sendTimeout.toMillis());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (long) timeout);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeout);
        // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms.
        int linger = Integer.parseInt(String.valueOf(props.getOrDefault(ProducerConfig.LINGER_MS_CONFIG, "0")));
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.max(1, timeout - linger));
        return props;
    }

    /**
     * Sends {@code record}; the future completes when Kafka acknowledged it (with the
     * producer's {@code acks}) and fails with Kafka's error otherwise, including an error
     * {@code send()} itself throws (e.g. no metadata within {@code max.block.ms}). Blocks
     * as {@code send()} does: never call it on an event loop.
     */
    public static <K, V> CompletableFuture<RecordMetadata> send(Producer<K, V> producer, ProducerRecord<K, V> record) {
        CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
        try {
            producer.send(record, (meta, error) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                } else {
                    done.complete(meta);
                }
            });
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        }
        return done;
    }
}
