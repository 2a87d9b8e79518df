package io.goim.job;

import static io.goim.job.JobFixture.WAIT;
import static io.goim.job.JobFixture.flush;
import static io.goim.job.JobFixture.kafka;
import static io.goim.job.JobFixture.send;
import static io.goim.job.JobFixture.topic;
import static io.goim.job.JobFixture.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.goim.job.consume.PushConsumer;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.Counts;
import io.goim.proto.PushMsg;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Job's /ready tells whether its consumer loop really consumes (a completed group
 * assignment), and a loop that fails is restarted, counted and reflected on /ready;
 * against a real broker.
 */
class ConsumerReadinessTest {
    @BeforeAll
    static void startKafka() throws Exception {
        kafka();
    }

    private static HttpResponse<String> ready(JobServer job) {
        try {
            return AdminScrape.get(job.adminPort(), "/ready");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JobServer job(String topic, RecordingComet comet, UnaryOperator<PushConsumer.Handler> handlers,
            Object... overrides) throws Exception {
        Map<String, Object> c = new HashMap<>();
        c.put("job.kafka.bootstrap-servers", kafka().bootstrapServers());
        c.put("job.kafka.topic", topic);
        c.put("job.kafka.group-id", topic);
        c.put("job.comets", Map.of("1", comet.address()));
        c.put("job.discovery.enabled", false); // fake comets, no logic to ask
        for (int i = 0; i < overrides.length; i += 2) {
            c.put((String) overrides[i], overrides[i + 1]);
        }
        return JobServer.start(ConfigLoader.withDefaults(ConfigFactory.parseMap(c)), handlers);
    }

    /** A group member that got the partitions and then stops polling: a rebalance must wait for it. */
    private static KafkaConsumer<byte[], byte[]> stalledMember(String topic) throws InterruptedException {
        KafkaConsumer<byte[], byte[]> member = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka0(),
                ConsumerConfig.GROUP_ID_CONFIG, topic,
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, "120000",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        member.subscribe(List.of(topic));
        Await.until("the first member owns the partition", WAIT, () -> {
            member.poll(Duration.ofMillis(100));
            return !member.assignment().isEmpty();
        });
        return member;
    }

    private static String kafka0() {
        try {
            return kafka().bootstrapServers();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void notReadyUntilTheGroupHasAssignedPartitions() throws Exception {
        String topic = topic(1);
        try (RecordingComet comet = RecordingComet.start()) {
            KafkaConsumer<byte[], byte[]> member = stalledMember(topic);
            try (JobServer job = job(topic, comet, UnaryOperator.identity())) {
                // Kafka and the comet answer, but the job's join waits for the stalled member.
                // Right after start the consumer is "starting" (503 too); the window below
                // begins once it waits for its assignment.
                Await.until("the job's consumer waits for its partition assignment", WAIT, () -> {
                    HttpResponse<String> res = ready(job);
                    assertEquals(503, res.statusCode(), res.body());
                    return res.body().contains("partition assignment");
                });
                long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (System.nanoTime() < until) {
                    HttpResponse<String> res = ready(job);
                    assertEquals(503, res.statusCode(), res.body());
                    assertTrue(res.body().contains("partition assignment"), res.body());
                    Thread.sleep(100); // sampling /ready over a window, not waiting for a condition
                }
                assertEquals(-1.0, AdminScrape.metrics(job.adminPort()).value("goim_job_partitions_owned"));
                member.close(); // leaves the group: the rebalance completes with the job alone
                Await.until("ready once the partition is assigned", WAIT, () -> ready(job).statusCode() == 200);
                assertTrue(ready(job).body().contains("ok"), ready(job).body());
                assertEquals(1.0, AdminScrape.metrics(job.adminPort()).value("goim_job_partitions_owned"));
            } finally {
                member.close();
            }
        }
    }

    @Test
    void aJobWithoutPartitionsBecauseTheGroupHasMoreJobsIsReady() throws Exception {
        String topic = topic(1);
        try (RecordingComet comet = RecordingComet.start();
                JobServer one = job(topic, comet, UnaryOperator.identity());
                JobServer two = job(topic, comet, UnaryOperator.identity())) {
            Await.until("both ready", WAIT, () -> ready(one).statusCode() == 200 && ready(two).statusCode() == 200);
            double owned = AdminScrape.metrics(one.adminPort()).value("goim_job_partitions_owned")
                    + AdminScrape.metrics(two.adminPort()).value("goim_job_partitions_owned");
            assertEquals(1.0, owned, "one job owns the only partition, the other is a ready standby");
        }
    }

    @Test
    void aFailedLoopIsCountedRestartedAndReadsAgainWhatItHadNotHandedOn() throws Exception {
        String topic = topic(1);
        AtomicBoolean thrown = new AtomicBoolean();
        UnaryOperator<PushConsumer.Handler> throwOnce = next -> (value, where) -> {
            if (body(value).equals("poison") && thrown.compareAndSet(false, true)) {
                throw new IllegalStateException("unexpected failure for the test");
            }
            return next.dispatch(value, where);
        };
        try (RecordingComet comet = RecordingComet.start();
                JobServer job = job(topic, comet, throwOnce, "job.kafka.restart-backoff", "1500ms")) {
            Await.until("ready", WAIT, () -> ready(job).statusCode() == 200);
            send(topic, "k", user(1, "before", "1_1"));
            flush();
            Await.until("first push delivered and committed", WAIT,
                    () -> comet.bodies().contains("before") && Counts.of(job.registry(), "goim_job_commits") >= 1);

            send(topic, "k", user(1, "poison", "1_1"));
            send(topic, "k", user(1, "after", "1_1"));
            flush();
            Await.until("the loop failed", WAIT, thrown::get);
            Await.until("/ready says the loop is down", WAIT, () -> ready(job).statusCode() == 503);
            assertTrue(ready(job).body().contains("kafka consumer"), ready(job).body());

            Await.until("both records read again and delivered", WAIT,
                    () -> comet.bodies().contains("poison") && comet.bodies().contains("after"));
            Await.until("ready again", WAIT, () -> ready(job).statusCode() == 200);
            assertEquals(1.0, AdminScrape.metrics(job.adminPort()).value("goim_job_consumer_restarts_total"));
            assertEquals(1, Collections.frequency(comet.bodies(), "before"), "committed before the failure: not again");
        }
    }

    private static String body(byte[] value) {
        try {
            return PushMsg.parseFrom(value).getMsg().toStringUtf8();
        } catch (Exception e) {
            return "";
        }
    }
}
