package io.goim.comet.cluster;

import io.goim.comet.CometConfig;
import io.goim.comet.CometMeters;
import io.goim.libs.admin.KafkaReadiness;
import io.goim.libs.admin.Readiness;
import io.goim.libs.kafka.KafkaProducers;
import io.goim.proto.UpstreamMsg;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Writes clients' messages (op 4) to the upstream topic when
 * {@code comet.upstream.mode = kafka}, and counts what became of each
 * ({@code goim_comet_upstream_total{outcome}}, {@code goim_comet_upstream_ack_seconds}).
 *
 * <p>kafka-clients' {@code send()} blocks while the topic's metadata is unknown or the
 * producer's buffer is full (up to {@code max.block.ms}). Event loops therefore never call
 * it: they hand records to one sender thread through a bounded queue, and a full queue
 * refuses at once. Every send's future is done within {@code send-timeout} of the call,
 * acknowledged or not: a record that waited that long in the queue is not sent at all.
 *
 * <p>Thread-safe.
 */
public final class UpstreamProducer implements AutoCloseable {
    /** What became of one op 4; the label of {@code goim_comet_upstream_total}. */
    public enum Outcome {
        /** Kafka acknowledged the record; the client was answered {"ret":1}. */
        ACKED,
        /** Kafka refused the record (or the producer is closed). */
        FAILED,
        /** Not acknowledged within send-timeout. */
        TIMED_OUT,
        /** Over the connection's rate limit; not sent. */
        RATE_LIMITED,
        /** The connection's in-flight bound or the sender queue was full; not sent. */
        REFUSED;

        public final String label = name().toLowerCase(Locale.ROOT);
    }

    /** The sender queue is full. */
    static final class QueueFullException extends RuntimeException {
        QueueFullException(int capacity) {
            super(capacity + " records already waiting to be sent (comet.upstream.send-queue)", null, false, false);
        }
    }

    private final Producer<byte[], byte[]> producer;
    private final ThreadPoolExecutor sender;
    private final KafkaReadiness readiness;
    private final String topic;
    private final Duration sendTimeout;
    private final int sendQueue;
    private final Map<Outcome, Counter> outcomes;
    private final Timer ackLatency;

    public UpstreamProducer(CometConfig.Upstream config, Duration readyTimeout, CometMeters.Upstream meters) {
        this.topic = config.topic();
        this.sendTimeout = config.sendTimeout();
        this.sendQueue = config.sendQueue();
        this.outcomes = meters.outcomes();
        this.ackLatency = meters.ack();
        producer = new KafkaProducer<>(KafkaProducers.properties(config.bootstrapServers(), "goim-comet-upstream",
                sendTimeout, config.kafkaProperties()));
        sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(sendQueue),
                new DefaultThreadFactory("comet-upstream-send", true));
        readiness = new KafkaReadiness(config.bootstrapServers(), topic, readyTimeout, "goim-comet-ready");
    }

    /**
     * Sends {@code msg} keyed by its user id, without blocking. The future completes on
     * Kafka's acknowledgement and fails with Kafka's error, a {@link TimeoutException}
     * after send-timeout, or {@link QueueFullException}; {@link #outcome} classifies it.
     */
    public CompletableFuture<RecordMetadata> send(UpstreamMsg msg) {
        CompletableFuture<RecordMetadata> done = new CompletableFuture<>();
        byte[] key = Long.toString(msg.getUserId()).getBytes(StandardCharsets.UTF_8);
        long queued = System.nanoTime();
        try {
            sender.execute(() -> {
                if (done.isDone() || System.nanoTime() - queued >= sendTimeout.toNanos()) {
                    // Waited out its send-timeout in the queue (behind a send() blocked on metadata):
                    // answered as timed out, and never sent, so the client's retry is no duplicate.
                    done.completeExceptionally(new TimeoutException("waited " + sendTimeout + " to be sent"));
                } else {
                    KafkaProducers.send(producer, new ProducerRecord<>(topic, key, msg.toByteArray()))
                            .whenComplete((meta, error) -> {
                                if (error != null) {
                                    done.completeExceptionally(error);
                                } else {
                                    done.complete(meta);
                                }
                            });
                }
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(sender.isShutdown() ? new IllegalStateException("comet is stopping")
                    : new QueueFullException(sendQueue));
            return done;
        }
        return done.orTimeout(sendTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** What a send that failed with {@code error} counts as. */
    public static Outcome outcome(Throwable error) {
        Throwable e = error;
        while (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof TimeoutException || e instanceof org.apache.kafka.common.errors.TimeoutException) {
            return Outcome.TIMED_OUT;
        }
        return e instanceof QueueFullException ? Outcome.REFUSED : Outcome.FAILED;
    }

    public void count(Outcome outcome) {
        outcomes.get(outcome).increment();
    }

    /** An acknowledged record read {@code nanos} ago. */
    public void acked(long nanos) {
        count(Outcome.ACKED);
        ackLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    public Duration sendTimeout() {
        return sendTimeout;
    }

    /** Ready when Kafka describes the upstream topic within the admin ready-timeout. */
    public CompletableFuture<Readiness> ready() {
        return readiness.check();
    }

    /** Sends what is queued (each still bounded by send-timeout), then closes the producer. */
    @Override
    public void close() throws InterruptedException {
        sender.shutdown();
        sender.awaitTermination(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
        producer.close(sendTimeout);
        readiness.close();
    }
}
