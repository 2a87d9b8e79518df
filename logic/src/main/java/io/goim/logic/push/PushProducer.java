package io.goim.logic.push;

import io.goim.libs.kafka.KafkaProducers;
import io.goim.logic.LogicMeters;
import io.goim.proto.PushMsg;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Writes {@link PushMsg} records to the push topic. A returned future completes only
 * when Kafka acknowledged the record (with the configured {@code acks}, by default
 * from every in-sync replica), and fails when Kafka did not within the send timeout.
 *
 * <p>Thread-safe. {@code send} may block up to the send timeout while Kafka's metadata
 * is unknown, so it is never called on an event loop.
 */
public final class PushProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final Timer acked;
    private final Timer failed;

    /** Sends are timed on {@code timers} ({@code goim_logic_kafka_send_seconds{outcome=ok|error}}). */
    public PushProducer(String bootstrapServers, String topic, Duration sendTimeout, Map<String, Object> properties,
            LogicMeters.KafkaSend timers) {
        this.topic = topic;
        acked = timers.ok();
        failed = timers.error();
        producer = new KafkaProducer<>(KafkaProducers.properties(bootstrapServers, "goim-logic", sendTimeout, properties));
    }

    /** Sends one record; {@code key} may be null (any partition). */
    CompletableFuture<RecordMetadata> send(String key, PushMsg msg) {
        long start = System.nanoTime();
        byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        return KafkaProducers.send(producer, new ProducerRecord<>(topic, k, msg.toByteArray()))
                .whenComplete((meta, error) -> (error == null ? acked : failed)
                        .record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
