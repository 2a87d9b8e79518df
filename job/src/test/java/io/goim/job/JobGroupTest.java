package io.goim.job;

import static io.goim.job.JobFixture.WAIT;
import static io.goim.job.JobFixture.awaitPolled;
import static io.goim.job.JobFixture.flush;
import static io.goim.job.JobFixture.job;
import static io.goim.job.JobFixture.kafka;
import static io.goim.job.JobFixture.room;
import static io.goim.job.JobFixture.send;
import static io.goim.job.JobFixture.topic;
import static io.goim.job.JobFixture.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.libs.testing.Await;
import io.goim.libs.testing.Counts;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Several jobs in one consumer group, and a job that stops like a crash: every accepted
 * message reaches its comet (at least once), over a real broker and real comet servers.
 */
class JobGroupTest {
    private static final int ROOMS = 5;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka();
    }

    /** Message i: a room push (ensure, so it can never be dropped) or a user push, alternately. */
    private static void sendMessage(String topic, int i) {
        if (i % 2 == 0) {
            int r = i % ROOMS + 1;
            send(topic, Integer.toString(r), room(r, "m" + i, true));
        } else {
            send(topic, "1", user(1, "m" + i, "u_" + i));
        }
    }

    private static Set<String> expected(int n) {
        Set<String> all = new HashSet<>();
        for (int i = 0; i < n; i++) {
            all.add("m" + i);
        }
        return all;
    }

    /** Copies of each body the comet received beyond the first. */
    private static int duplicates(RecordingComet comet) {
        Map<String, Integer> seen = new HashMap<>();
        int dup = 0;
        for (String b : comet.bodies()) {
            if (seen.merge(b, 1, Integer::sum) > 1) {
                dup++;
            }
        }
        return dup;
    }

    @Test
    void twoJobsShareThePartitionsAndRebalancesLoseNothing() throws Exception {
        String topic = topic(4);
        int n = 3000;
        try (RecordingComet comet = RecordingComet.start()) {
            JobServer a = job(topic, Map.of(1, comet));
            JobServer b = null;
            try {
                awaitPolled(comet);
                for (int i = 0; i < n; i++) {
                    sendMessage(topic, i);
                    if (i == n / 3) {
                        flush();
                        b = job(topic, Map.of(1, comet)); // joins the group: first rebalance
                    }
                    if (i == 2 * n / 3) {
                        flush();
                        a.close(); // leaves the group gracefully: second rebalance
                    }
                    if (i % 100 == 0) {
                        Thread.sleep(5); // spread the burst over the rebalances
                    }
                }
                flush();
                JobServer last = b;
                Await.until("every message delivered", WAIT, () -> new HashSet<>(comet.bodies()).containsAll(expected(n)));
                assertTrue(Counts.of(a.registry(), "goim_job_consumed") > 0 && Counts.of(last.registry(), "goim_job_consumed") > 0, "both jobs consumed");
                assertTrue(Counts.of(a.registry(), "goim_job_partitions_revoked") > 0, "a gave partitions away");
                System.out.printf("rebalance: a consumed %d, b consumed %d, duplicates %d%n",
                        Counts.of(a.registry(), "goim_job_consumed"), Counts.of(last.registry(), "goim_job_consumed"), duplicates(comet));
            } finally {
                a.close();
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    @Test
    void aJobKilledMidBurstLosesNothingItsSuccessorDeliversTheRest() throws Exception {
        String topic = topic(4);
        int n = 4000;
        try (RecordingComet comet = RecordingComet.start()) {
            JobServer first = job(topic, Map.of(1, comet), "job.comet-timeout", "60s");
            long consumedByFirst;
            try {
                awaitPolled(comet);
                for (int i = 0; i < n / 2; i++) {
                    sendMessage(topic, i);
                }
                flush();
                Await.until("first job is mid-burst", WAIT, () -> comet.received.size() >= n / 8);
                comet.hold(); // the comet takes messages but does not answer: they stay uncommitted
                Await.until("some pushes unanswered", WAIT, () -> comet.held() >= 4);
                for (int i = n / 2; i < n; i++) {
                    sendMessage(topic, i);
                }
                flush();
            } finally {
                first.halt(); // no commit of anything more, pushes in flight abandoned
                consumedByFirst = Counts.of(first.registry(), "goim_job_consumed");
                comet.release();
            }
            int beforeRestart = comet.received.size();
            try (JobServer second = job(topic, Map.of(1, comet))) {
                Await.until("every accepted message delivered", WAIT,
                        () -> new HashSet<>(comet.bodies()).containsAll(expected(n)));
                assertTrue(Counts.of(second.registry(), "goim_job_consumed") > n - beforeRestart,
                        "the successor re-read what the first job had not committed");
                int dup = duplicates(comet);
                assertTrue(dup > 0, "records handed to the comet but not committed are delivered again");
                System.out.printf("kill and restart: first consumed %d, comet had %d before restart, "
                        + "second consumed %d, duplicates %d of %d messages%n",
                        consumedByFirst, beforeRestart, Counts.of(second.registry(), "goim_job_consumed"), dup, n);
            }
        }
    }

    @Test
    void perRoomOrderIsKafkaOrderUnderLoad() throws Exception {
        String topic = topic(4);
        int perRoom = 400;
        try (RecordingComet comet = RecordingComet.start()) {
            try (JobServer job = job(topic, Map.of(1, comet), "job.room.queue-size", 1000)) {
                awaitPolled(comet);
                for (int i = 0; i < perRoom; i++) {
                    for (int r = 1; r <= 3; r++) {
                        send(topic, Integer.toString(r), room(r, r + ":" + i, false));
                    }
                }
                flush();
                Await.until("all delivered", WAIT, () -> comet.received.size() == 3 * perRoom);
                for (int r = 1; r <= 3; r++) {
                    List<String> got = comet.bodies("room", r);
                    for (int i = 0; i < perRoom; i++) {
                        assertEquals(r + ":" + i, got.get(i));
                    }
                }
                assertTrue(JobCounts.meanBatchSize(job.registry()) > 1, "a burst is batched");
            }
        }
    }
}
