package io.goim.job;

import static io.goim.job.JobFixture.WAIT;
import static io.goim.job.JobFixture.awaitPolled;
import static io.goim.job.JobFixture.flush;
import static io.goim.job.JobFixture.job;
import static io.goim.job.JobFixture.kafka;
import static io.goim.job.JobFixture.room;
import static io.goim.job.JobFixture.send;
import static io.goim.job.JobFixture.topic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.libs.testing.Await;
import io.goim.libs.testing.Counts;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The two figures of room batching, printed for {@code docs/delivery.md}: the latency of
 * a room message when the room is idle (goim makes it wait up to the signal time) and
 * the batch size when messages arrive faster than they can be sent. The assertions hold
 * on any machine (an idle message arrives far sooner than the 5 s signal time; a burst
 * is batched); the figures themselves are only printed.
 */
class RoomBatchingFiguresTest {
    @BeforeAll
    static void startKafka() throws Exception {
        kafka();
    }

    @Test
    void anIdleRoomMessageDoesNotWaitForTheSignalTime() throws Exception {
        String topic = topic(1);
        try (RecordingComet comet = RecordingComet.start()) {
            try (JobServer job = job(topic, Map.of(1, comet), "job.room.signal", "5s")) {
                awaitPolled(comet);
                List<Long> micros = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    int before = comet.received.size();
                    long sent = System.nanoTime();
                    send(topic, "1", room(1, "idle" + i, false));
                    flush();
                    Await.until("idle message " + i, WAIT, () -> comet.received.size() == before + 1);
                    micros.add((comet.received.get(before).atNanos() - sent) / 1000);
                }
                Collections.sort(micros);
                long p50 = micros.get(micros.size() / 2);
                long max = micros.get(micros.size() - 1);
                System.out.printf("idle room latency (produce -> comet), signal 5s: p50 %.1f ms, max %.1f ms, "
                        + "batches %d for %d messages%n", p50 / 1000.0, max / 1000.0, Counts.of(job.registry(), "goim_job_room_batches"), 30);
                assertTrue(max < 2_500_000, "an idle message never waits for the signal time; max " + max + " us");
                assertEquals(30, Counts.of(job.registry(), "goim_job_room_batches"), "idle: one message per batch");
            }
        }
    }

    @Test
    void aBurstIsBatchedUpToTheBatchSize() throws Exception {
        String topic = topic(1);
        int n = 20_000;
        try (RecordingComet comet = RecordingComet.start()) {
            try (JobServer job = job(topic, Map.of(1, comet), "job.room.queue-size", 2000)) {
                awaitPolled(comet);
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    send(topic, "1", room(1, "burst" + i, true));
                }
                flush();
                Await.until("burst delivered", WAIT, () -> comet.received.size() == n);
                double seconds = (System.nanoTime() - start) / 1e9;
                List<Integer> sizes = new ArrayList<>(comet.batchSizes);
                Collections.sort(sizes);
                System.out.printf("burst of %d room messages: %d batches, mean %.1f, median %d, largest %d; "
                        + "%.0f messages/s end to end%n", n, sizes.size(), (double) n / sizes.size(),
                        sizes.get(sizes.size() / 2), sizes.get(sizes.size() - 1), n / seconds);
                assertTrue(JobCounts.meanBatchSize(job.registry()) > 2, "a burst is batched");
                assertTrue(JobCounts.largestBatch(job.registry()) <= 40, "never more than job.room.batch");
            }
        }
    }
}
