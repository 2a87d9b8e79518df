package io.goim.job.consume;

import io.goim.job.JobConfig;
import io.goim.job.JobMeters;
import io.goim.libs.log.RateLimitedLog;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer loop, on its own thread. Each turn it polls, dispatches every record
 * without waiting for it, and commits per partition the offset after the longest prefix
 * of records already handed to their comets ({@link PartitionProgress}): at-least-once,
 * and a slow record holds back only the commit, not consumption. Commits go out at most
 * every {@code commit-interval}, not after every poll: under a steady stream each poll
 * brings a record or two, and a commit per poll was a broker request per push.
 *
 * <p>Backpressure uses {@link Consumer#pause}, never a blocked poll, so heartbeats and
 * {@code max.poll.interval.ms} are never at risk: a partition is paused while an ensure
 * room message waits for room in its room's queue (that record and the partition's later
 * records wait in order, so a room keeps its Kafka order) and while it has
 * {@code max-in-flight} records not yet handed on. Paused partitions are retried every
 * few milliseconds.
 *
 * <p>Rebalance: for revoked partitions, records waiting for room are let go (the next
 * owner reads them again), in-flight records get up to {@code revoke-grace} to be handed
 * on, and the handed prefix is committed before the partitions go. Lost partitions are
 * forgotten without a commit.
 *
 * <p>One instance lives as long as its Kafka consumer: {@link ConsumerSupervisor} runs it on
 * its thread, and when {@link #run} throws (an unexpected failure) starts a new one with a
 * new consumer. {@link #stop} ends the loop: by default it waits up to
 * {@code shutdown-grace} for in-flight records and commits what was handed on; with
 * {@code halt} it commits nothing more, as a crash would.
 *
 * <p>Only {@link #stop} and {@link #ownedPartitions} may be called from other threads.
 */
public final class PushConsumer {
    private static final Logger log = LoggerFactory.getLogger(PushConsumer.class);
    /** Poll timeout while some partition waits for room: how soon a waiting record is offered again. */
    private static final Duration RETRY_INTERVAL = Duration.ofMillis(5);

    private final Consumer<byte[], byte[]> consumer;
    private final String topic;
    private final JobConfig.Consuming config;
    private final Handler dispatcher;
    private final JobMeters.Consume meters;
    private final Map<TopicPartition, PartitionProgress> progress = new HashMap<>();
    private final Map<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> waiting = new LinkedHashMap<>();
    private final RateLimitedLog commitLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    private final LongSupplier nanoClock;
    /** When the last commit went out (nanoClock); the next waits for commit-interval after it. */
    private long lastCommit;
    private volatile boolean closing;
    private volatile boolean halting;
    /** Partitions owned after the last completed rebalance; -1 before the first one and while rebalancing. */
    private volatile int owned = -1;

    /** What the loop does with one record ({@link io.goim.job.dispatch.Dispatcher#dispatch}): takes it, or has it wait for room. */
    @FunctionalInterface
    public interface Handler {
        Dispatched dispatch(byte[] value, String where);
    }

    public PushConsumer(Consumer<byte[], byte[]> consumer, JobConfig.Consuming config, Handler dispatcher,
            JobMeters.Consume meters) {
        this(consumer, config, dispatcher, meters, System::nanoTime);
    }

    /** With the clock that times commit-interval (tests pass a manual one). */
    PushConsumer(Consumer<byte[], byte[]> consumer, JobConfig.Consuming config, Handler dispatcher, JobMeters.Consume meters,
            LongSupplier nanoClock) {
        this.consumer = consumer;
        this.nanoClock = nanoClock;
        this.lastCommit = nanoClock.getAsLong() - config.commitInterval().toNanos();
        this.topic = config.topic();
        this.config = config;
        this.dispatcher = dispatcher;
        this.meters = meters;
    }

    /** The production Kafka consumer for {@code config}: manual commits, byte arrays. */
    public static KafkaConsumer<byte[], byte[]> kafkaConsumer(JobConfig.Consuming config) {
        Map<String, Object> props = new HashMap<>(config.properties());
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrap());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "goim-job");
        return new KafkaConsumer<>(props);
    }

    /**
     * Runs the loop on the calling thread until {@link #stop}, then returns. Anything else
     * that ends the loop is thrown, after the consumer was closed: closing leaves the group,
     * which commits the prefix already handed on (see Rebalance), so the next consumer
     * reads again only what was not (at-least-once).
     */
    void run() throws InterruptedException {
        try {
            subscribe();
            try {
                while (!closing) {
                    turn();
                }
            } catch (WakeupException e) {
                if (!closing) {
                    throw e;
                }
            }
            if (!halting) {
                drain();
            }
        } finally {
            owned = -1;
            try {
                consumer.close();
            } catch (RuntimeException e) {
                log.warn("closing the consumer failed: {}", e.toString());
            }
        }
    }

    /**
     * Partitions this consumer owns after its last completed rebalance, possibly 0 when
     * the group has more members than the topic has partitions; -1 while it has not
     * joined the group yet, is rebalancing or has stopped.
     */
    int ownedPartitions() {
        return owned;
    }

    /** Joins the group. Package-private so MockConsumer tests can drive the loop. */
    void subscribe() {
        consumer.subscribe(List.of(topic), new Rebalance());
    }

    /** One poll, dispatch and commit. Package-private so MockConsumer tests can drive the loop. */
    void turn() {
        Duration timeout = waiting.isEmpty() ? config.pollTimeout() : RETRY_INTERVAL;
        ConsumerRecords<byte[], byte[]> records = consumer.poll(timeout);
        offerWaiting();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            meters.consumed().increment();
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            ArrayDeque<ConsumerRecord<byte[], byte[]>> queue = waiting.get(tp);
            if (queue != null) {
                queue.add(r); // behind a record that waits for room: keep Kafka order
            } else if (!dispatch(tp, r)) {
                waiting.computeIfAbsent(tp, t -> new ArrayDeque<>()).add(r);
            }
        }
        long now = nanoClock.getAsLong();
        if (now - lastCommit >= config.commitInterval().toNanos()) {
            commitHanded(now);
        }
        adjustPauses();
        measureLag();
    }

    /** Sums the lag the consumer already knows from its fetches (no request to the broker). */
    private void measureLag() {
        long total = 0;
        for (TopicPartition tp : consumer.assignment()) {
            total += consumer.currentLag(tp).orElse(0);
        }
        meters.lag().set(total);
    }

    /** Dispatches one record and tracks it; false when it must wait for room (ensure). */
    private boolean dispatch(TopicPartition tp, ConsumerRecord<byte[], byte[]> r) {
        if (!(dispatcher.dispatch(r.value(), tp + "@" + r.offset()) instanceof Dispatched.Taken taken)) {
            return false;
        }
        progress.computeIfAbsent(tp, t -> new PartitionProgress()).track(r.offset(), taken.handedOn());
        return true;
    }

    private void offerWaiting() {
        for (Iterator<Map.Entry<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>>> it =
                waiting.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<TopicPartition, ArrayDeque<ConsumerRecord<byte[], byte[]>>> e = it.next();
            ArrayDeque<ConsumerRecord<byte[], byte[]>> queue = e.getValue();
            while (!queue.isEmpty() && dispatch(e.getKey(), queue.peek())) {
                queue.poll();
            }
            if (queue.isEmpty()) {
                it.remove();
            }
        }
    }

    private void commitHanded(long now) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        progress.forEach((tp, p) -> {
            long next = p.nextCommit();
            if (next >= 0) {
                offsets.put(tp, new OffsetAndMetadata(next));
            }
        });
        if (offsets.isEmpty()) {
            return;
        }
        lastCommit = now;
        consumer.commitAsync(offsets, (committed, error) -> {
            if (error == null) {
                meters.commits().increment();
            } else {
                // a later commit carries a later offset of the same partition; a crash before it only redelivers
                commitLog.warn("offset commit failed: {}", error.toString());
            }
        });
    }

    /** Pauses partitions that wait for room or have too much in flight; resumes the others. */
    private void adjustPauses() {
        Set<TopicPartition> wanted = new HashSet<>(waiting.keySet());
        progress.forEach((tp, p) -> {
            if (p.inFlight() >= config.maxInFlight()) {
                wanted.add(tp);
            }
        });
        wanted.retainAll(consumer.assignment());
        Set<TopicPartition> paused = consumer.paused();
        Set<TopicPartition> pause = new HashSet<>(wanted);
        pause.removeAll(paused);
        Set<TopicPartition> resume = new HashSet<>(paused);
        resume.removeAll(wanted);
        if (!pause.isEmpty()) {
            consumer.pause(pause);
            meters.pauses().increment(pause.size());
        }
        if (!resume.isEmpty()) {
            consumer.resume(resume);
        }
    }

    /**
     * After the loop: gives in-flight records up to shutdown-grace, then commits what was
     * handed on. Package-private so MockConsumer tests can drive the loop.
     */
    void drain() throws InterruptedException {
        waiting.clear();
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        for (PartitionProgress p : progress.values()) {
            p.await(Math.max(0, deadline - System.nanoTime()));
        }
        commitSync(progress);
        progress.clear();
    }

    private void commitSync(Map<TopicPartition, PartitionProgress> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        partitions.forEach((tp, p) -> {
            if (p.committable() >= 0) {
                offsets.put(tp, new OffsetAndMetadata(p.committable()));
            }
        });
        if (offsets.isEmpty()) {
            return;
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                consumer.commitSync(offsets);
                meters.commits().increment();
                return;
            } catch (WakeupException e) {
                // close() woke us up while we were not polling; the wakeup is spent now, try again
            } catch (KafkaException e) {
                commitLog.warn("offset commit failed: {}", e.toString());
                return;
            }
        }
    }

    /** Hands revoked partitions on cleanly: see the class comment. Runs inside poll, on the consumer thread. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            meters.partitionsRevoked().increment(partitions.size());
            Set<TopicPartition> kept = new HashSet<>(consumer.assignment());
            kept.removeAll(partitions);
            if (kept.isEmpty()) {
                owned = -1; // an eager rebalance takes everything back until the next assignment
            }
            long deadline = System.nanoTime() + config.revokeGrace().toNanos();
            Map<TopicPartition, PartitionProgress> revoked = new HashMap<>();
            for (TopicPartition tp : partitions) {
                waiting.remove(tp);
                PartitionProgress p = progress.remove(tp);
                if (p != null) {
                    revoked.put(tp, p);
                }
            }
            if (halting) {
                return; // a crash commits nothing
            }
            try {
                for (PartitionProgress p : revoked.values()) {
                    meters.revokeAbandoned().increment(p.await(Math.max(0, deadline - System.nanoTime())));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            commitSync(revoked);
            log.info("partitions revoked: {}", partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            owned = -1;
            for (TopicPartition tp : partitions) {
                waiting.remove(tp);
                progress.remove(tp);
            }
            log.warn("partitions lost without commit: {}", partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // called after every completed rebalance, with an empty list too
            owned = consumer.assignment().size();
            log.info("partitions assigned: {}, owning {}", partitions, owned);
        }
    }

    /**
     * Asks the loop to end; {@link #run} returns soon after. Without {@code halt} it first
     * waits for in-flight records up to shutdown-grace and commits what was handed on; with
     * it, it commits nothing more, as a crash would (its records are read again).
     */
    void stop(boolean halt) {
        halting |= halt;
        closing = true;
        consumer.wakeup();
    }
}
