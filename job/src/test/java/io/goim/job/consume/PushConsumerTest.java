package io.goim.job.consume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.goim.job.JobConfig;
import io.goim.job.JobFixture;
import io.goim.job.JobMeters;
import io.goim.job.ManualScheduler;
import io.goim.job.RecordingComet;
import io.goim.job.comets.CometSet;
import io.goim.job.dispatch.Dispatcher;
import io.goim.job.rooms.RoomBatchers;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.Counts;
import io.goim.proto.Proto;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer loop's commit, pause and rebalance rules, driven turn by turn on a
 * {@link MockConsumer}; room batches are "sent" to a sender whose completion the test
 * controls, so the test decides when a record is handed on.
 */
class PushConsumerTest {
    private static final String TOPIC = "pushes";
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    /** Offsets committed, by partition, as the loop asked for them (MockConsumer forgets revoked ones). */
    private final Map<TopicPartition, Long> commits = new HashMap<>();
    private final MockConsumer<byte[], byte[]> kafka = new MockConsumer<>("earliest") {
        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            offsets.forEach((tp, o) -> commits.put(tp, o.offset()));
            super.commitSync(offsets);
        }

        @Override
        public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
            offsets.forEach((tp, o) -> commits.put(tp, o.offset()));
            super.commitAsync(offsets, callback);
        }
    };
    private final List<CompletableFuture<Void>> batches = new ArrayList<>();
    private final List<Proto> sent = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final JobMeters meters = new JobMeters(registry);
    private PushConsumer loop;
    /** The loop's clock (ns): moves only when a test moves it. */
    private final AtomicLong clock = new AtomicLong();
    private long[] nextOffset = new long[2];

    @BeforeEach
    void setUp() {
        start("0s"); // commit after every turn, so that each step's commit shows at once
    }

    /** A new loop (and rooms) on the same consumer, committing at most every {@code commitInterval} of {@link #clock}. */
    private void start(String commitInterval) {
        JobConfig config = JobConfig.from(ConfigLoader.withDefaults(ConfigFactory.parseMap(Map.of(
                "job.kafka.topic", TOPIC,
                "job.kafka.max-in-flight", 6,
                "job.kafka.revoke-grace", "50ms",
                "job.kafka.commit-interval", commitInterval,
                "job.room.batch", 2,
                "job.room.queue-size", 3))));
        RoomBatchers rooms = new RoomBatchers(config.room(), new ManualScheduler(), (room, batch) -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            batches.add(done);
            sent.add(batch);
            return done;
        }, meters.rooms);
        loop = new PushConsumer(kafka, config.consuming(),
                new Dispatcher(CometSet.empty(), rooms, meters.dispatch, (d, t) -> { }, Duration.ZERO)::dispatch,
                meters.consume, clock::get);
        loop.subscribe();
        kafka.rebalance(List.of(P0, P1));
        kafka.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    }

    private void add(TopicPartition tp, int room, boolean ensure) {
        long offset = nextOffset[tp.partition()]++;
        kafka.addRecord(new ConsumerRecord<>(TOPIC, tp.partition(), offset, null,
                JobFixture.room(room, "m" + offset, ensure).toByteArray()));
    }

    /** Completes every batch sent so far, and those their completion sends. */
    private void completeAll() {
        for (int i = 0; i < batches.size(); i++) {
            batches.get(i).complete(null);
        }
    }

    private Long committed(TopicPartition tp) {
        return commits.get(tp);
    }

    @Test
    void anOffsetIsCommittedOnlyAfterEveryRecordBeforeItWasHandedOn() {
        add(P0, 1, false); // offset 0, room 1: sent at once
        add(P0, 2, false); // offset 1, room 2: sent at once
        loop.turn();
        assertNull(committed(P0), "nothing handed on yet");
        batches.get(1).complete(null); // offset 1 handed, offset 0 not
        loop.turn();
        assertNull(committed(P0), "offset 0 still in flight holds back the commit of 1");
        batches.get(0).complete(null);
        loop.turn();
        assertEquals(2L, committed(P0));
    }

    @Test
    void aMalformedRecordIsCountedSkippedAndCommitted() {
        kafka.addRecord(new ConsumerRecord<>(TOPIC, 1, 0, null, new byte[] {(byte) 0xff, 0x01}));
        loop.turn();
        assertEquals(1, Counts.of(registry, "goim_job_malformed"));
        assertEquals(1L, committed(P1));
    }

    @Test
    void anEnsureMessageForAFullRoomPausesItsPartitionUntilThereIsRoomThenKeepsOrder() {
        for (int i = 0; i < 5; i++) {
            add(P0, 1, true); // 3 fit the room's queue; offsets 3 and 4 must wait
        }
        add(P1, 2, true);
        loop.turn();
        assertEquals(Set.of(P0), kafka.paused(), "only the partition with a full room is paused");
        assertTrue(Counts.of(registry, "goim_job_room_backpressure") > 0);
        add(P0, 1, true); // offset 5 arrives behind the waiting ones
        batches.get(0).complete(null); // offset 0 handed on: one place free
        loop.turn();
        assertEquals(Set.of(P0), kafka.paused(), "offset 4 still waits");
        completeAll();
        for (int i = 0; i < 4; i++) {
            loop.turn();
            completeAll();
        }
        assertEquals(Set.of(), kafka.paused());
        List<String> order = new ArrayList<>();
        for (Proto p : sent) {
            order.addAll(RecordingComet.unpack(p));
        }
        assertEquals(List.of("m0", "m1", "m2", "m0", "m3", "m4", "m5"), order,
                "room 1 in Kafka order (room 2's m0 between)");
        loop.turn();
        assertEquals(6L, committed(P0));
    }

    @Test
    void withoutEnsureAFullRoomAlsoPausesItsPartitionAndDropsNothing() {
        for (int i = 0; i < 5; i++) {
            add(P0, 1, false);
        }
        loop.turn();
        assertEquals(Set.of(P0), kafka.paused());
        assertTrue(Counts.of(registry, "goim_job_room_backpressure") > 0);
        for (int i = 0; i < 4; i++) {
            completeAll();
            loop.turn();
        }
        assertEquals(Set.of(), kafka.paused());
        assertEquals(5, sent.stream().mapToInt(p -> RecordingComet.unpack(p).size()).sum(), "all five sent, none dropped");
        assertEquals(5L, committed(P0));
    }

    @Test
    void tooManyRecordsInFlightPauseThePartition() {
        for (int room = 1; room <= 6; room++) {
            add(P1, room, false); // six rooms, six batches, none handed on
        }
        loop.turn();
        assertEquals(Set.of(P1), kafka.paused());
        completeAll();
        loop.turn();
        assertEquals(Set.of(), kafka.paused());
        assertEquals(6L, committed(P1));
    }

    @Test
    void onRevokeTheHandedPrefixIsCommittedAndTheRestLeftForTheNextOwner() {
        add(P0, 1, false); // offset 0
        add(P0, 2, false); // offset 1
        loop.turn();
        batches.get(0).complete(null); // only offset 0 handed on
        kafka.rebalance(List.of(P1)); // P0 revoked; offset 1 stays in flight past revoke-grace
        assertEquals(1L, committed(P0));
        assertEquals(1, Counts.of(registry, "goim_job_revoke_abandoned"));
        assertEquals(1, Counts.of(registry, "goim_job_partitions_revoked"));
    }

    @Test
    void onCloseRecordsInFlightAreAwaitedAndEverythingHandedOnIsCommitted() throws Exception {
        add(P0, 1, false); // offsets 0, 1, 2 in three rooms: all sent at once
        add(P0, 2, false);
        add(P0, 3, false);
        loop.turn();
        batches.get(0).complete(null);
        batches.get(1).complete(null); // 0 and 1 handed on, not yet committed; 2 in flight
        assertNull(committed(P0));

        CompletableFuture<Void> closing = new CompletableFuture<>();
        Thread drainer = new Thread(() -> {
            try {
                loop.drain(); // what close() runs after the loop stops
                closing.complete(null);
            } catch (Throwable e) {
                closing.completeExceptionally(e);
            }
        });
        drainer.start();
        Await.until("close waits for the record in flight", Duration.ofSeconds(10),
                () -> drainer.getState() == Thread.State.TIMED_WAITING);
        assertNull(committed(P0), "nothing committed while a record is still in flight");
        batches.get(2).complete(null); // handed on within the shutdown grace
        closing.get(10, TimeUnit.SECONDS);
        assertEquals(3L, committed(P0), "the commit on close covers every record handed on, the last included");
    }

    @Test
    void commitsGoOutAtMostOncePerIntervalAndCarryTheLatestHandedOffset() {
        start("1s");
        add(P0, 1, false); // offset 0
        loop.turn();
        completeAll();
        loop.turn();
        assertEquals(1L, committed(P0), "the first commit goes out at once");
        assertEquals(1, Counts.of(registry, "goim_job_commits"));

        for (int room = 2; room <= 8; room++) {
            add(P0, room, false); // offsets 1..7, each its own room: sent at once, handed on within the interval
        }
        loop.turn();
        completeAll();
        clock.addAndGet(Duration.ofMillis(999).toNanos());
        loop.turn();
        assertEquals(1L, committed(P0), "no second commit within the interval");
        assertEquals(Set.of(), kafka.paused(), "7 records handed on are not in flight (max 6) while their commit waits");

        clock.addAndGet(Duration.ofMillis(1).toNanos());
        loop.turn();
        assertEquals(8L, committed(P0), "one commit for all seven, once the interval is over");
        assertEquals(2, Counts.of(registry, "goim_job_commits"));

        clock.addAndGet(Duration.ofSeconds(5).toNanos());
        loop.turn();
        assertEquals(2, Counts.of(registry, "goim_job_commits"), "nothing new handed on: no commit");
    }
}
