package io.goim.job;

import static io.goim.job.JobFixture.WAIT;
import static io.goim.job.JobFixture.awaitPolled;
import static io.goim.job.JobFixture.flush;
import static io.goim.job.JobFixture.job;
import static io.goim.job.JobFixture.kafka;
import static io.goim.job.JobFixture.room;
import static io.goim.job.JobFixture.send;
import static io.goim.job.JobFixture.sendRaw;
import static io.goim.job.JobFixture.topic;
import static io.goim.job.JobFixture.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.Counts;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Job's admin port against a real broker and real comet gRPC servers: metrics parsed, readiness flipping. */
class JobAdminTest {
    @BeforeAll
    static void startKafka() throws Exception {
        kafka();
    }

    private static int ready(JobServer job) {
        try {
            return AdminScrape.status(job.adminPort(), "/ready");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void metricsFollowConsumedRecordsCometCallsAndBatches() throws Exception {
        String topic = topic(1);
        try (RecordingComet one = RecordingComet.start()) {
            try (JobServer job = job(topic, Map.of(1, one))) {
                awaitPolled(one);
                send(topic, "1", user(1, "to-one", "1_1"));
                send(topic, "7", room(7, "room-7", false));
                sendRaw(topic, "x", new byte[] {(byte) 0xff, 1, 2});
                flush();
                Await.until("three records consumed", WAIT, () -> Counts.of(job.registry(), "goim_job_consumed") == 3);
                Await.until("both pushes delivered", WAIT, () -> JobCounts.calls(job.registry(), JobMeters.Kind.USER, true)
                        + JobCounts.calls(job.registry(), JobMeters.Kind.ROOM, true) >= 2);

                AdminScrape.Metrics m = AdminScrape.metrics(job.adminPort());
                assertEquals(3.0, m.value("goim_job_consumed_total", "service", "job"));
                assertEquals(1.0, m.value("goim_job_malformed_total"));
                assertTrue(m.samples().stream().noneMatch(s -> s.name().equals("goim_job_comet_calls_total")),
                        "the calls are counted once, in goim_job_push_calls_total");
                assertEquals(0.0, m.value("goim_job_push_calls_total", "kind", "user", "outcome", "given_up"));
                assertEquals(0.0, m.value("goim_job_comet_given_up_total", "comet", "1"));
                assertEquals(1.0, m.value("goim_job_pushes_total", "kind", "user"));
                assertEquals(1.0, m.value("goim_job_pushes_total", "kind", "room"));
                assertEquals(0.0, m.value("goim_job_pushes_total", "kind", "broadcast"));
                assertEquals(1.0, m.value("goim_job_push_calls_total", "kind", "user", "outcome", "ok"));
                assertEquals(1.0, m.value("goim_job_room_batches_total"));
                assertEquals(1.0, m.value("goim_job_room_batched_messages_total"));
                assertEquals(1.0, m.value("goim_job_room_largest_batch"));
                assertTrue(m.has("goim_job_consumer_lag"));
                assertEquals(1.0, m.value("grpc_client_processing_duration_seconds_count",
                        "peer", "comet-1", "method", "MPushMsg", "statusCode", "OK"));
            }
        }
    }

    @Test
    void readyWhileAnyCometAnswersAndNotWhenNoneDoes() throws Exception {
        String topic = topic(1);
        RecordingComet one = RecordingComet.start();
        RecordingComet two = RecordingComet.start();
        try (JobServer job = job(topic, Map.of(1, one, 2, two))) {
            Await.until("job ready", WAIT, () -> ready(job) == 200);
            one.close();
            assertEquals(200, ready(job), "one comet answering is enough to deliver");
            two.close();
            HttpResponse<String> res = AdminScrape.get(job.adminPort(), "/ready");
            assertEquals(503, res.statusCode());
            assertTrue(res.body().contains("comet 1") && res.body().contains("comet 2"), res.body());
            assertEquals(200, AdminScrape.status(job.adminPort(), "/health"));
        } finally {
            one.close();
            two.close();
        }
    }
}
