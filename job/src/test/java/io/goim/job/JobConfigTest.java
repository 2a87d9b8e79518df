package io.goim.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.config.InvalidConfigException;
import io.goim.libs.config.HostPort;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Job's config: documented defaults, and a bad value stops the service at start with a clear message. */
class JobConfigTest {
    private static JobConfig load(Map<String, Object> overrides) {
        return JobConfig.from(ConfigLoader.withDefaults(ConfigFactory.parseMap(overrides)));
    }

    @Test
    void defaultsAreGoimsBatchAndSignal() {
        JobConfig c = load(Map.of());
        assertEquals(40, c.room().batch());
        assertEquals(Duration.ofSeconds(1), c.room().signal());
        assertEquals(Duration.ofSeconds(1), c.cometPoll());
        assertEquals(200, c.room().queueSize());
        assertEquals(8, c.cometLanes());
    }

    @Test
    void aCometIsGivenUpOnlyAfterTheStallLimitAndZeroNeverGivesUp() {
        assertEquals(Duration.ofSeconds(60), load(Map.of()).cometStallLimit());
        assertEquals(Duration.ZERO, load(Map.of("job.comet-stall-limit", "0s")).cometStallLimit());
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> load(Map.of("job.comet-stall-limit", "-1s")));
        assertEquals("job.comet-stall-limit", e.getMessage().substring(0, "job.comet-stall-limit".length()));
    }

    /**
     * reference.conf quotes Kafka's dotted keys ({@code "max.poll.records" = 500}); an
     * override spelled as a path (as a system property must be) is a second, nested setting
     * to HOCON, and must win over the default rather than race it. Written both ways in an
     * override, it is refused.
     */
    @Test
    void aKafkaPropertyOverriddenAsAPathWinsOverTheQuotedDefault() {
        assertEquals("500", load(Map.of()).kafkaProperties().get("max.poll.records"));
        assertEquals("5", load(Map.of("job.kafka.properties.max.poll.records", "5")).kafkaProperties()
                .get("max.poll.records"));
        assertEquals("7", load(Map.of("job.kafka.properties.\"max.poll.records\"", "7")).kafkaProperties()
                .get("max.poll.records"));
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> JobConfig.from(
                ConfigLoader.withDefaults(ConfigFactory.parseString(
                        "job.kafka.properties { \"max.poll.records\" = 7, max.poll.records = 5 }"))));
        assertTrue(e.getMessage().startsWith("job.kafka.properties.max.poll.records: "), e.getMessage());
        // A file that copies reference.conf's quoted key (deploy/conf/job.conf) and a system
        // property spelled as a path: the system property wins, as any system property does.
        String key = "job.kafka.properties.max.poll.records";
        System.setProperty(key, "9");
        try {
            ConfigFactory.invalidateCaches();
            assertEquals("9", load(Map.of("job.kafka.properties.\"max.poll.records\"", "7")).kafkaProperties()
                    .get("max.poll.records"));
        } finally {
            System.clearProperty(key);
            ConfigFactory.invalidateCaches();
        }
    }

    @Test
    void aRoomQueueSmallerThanABatchIsRefused() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> load(Map.of("job.room.batch", 50, "job.room.queue-size", 10)));
        assertEquals("job.room.queue-size: 10 (expected: >= job.room.batch (50))", e.getMessage());
    }

    @Test
    void aZeroSignalIsRefused() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> load(Map.of("job.room.signal", "0s")));
        assertEquals("job.room.signal: 0s (expected: > 0)", e.getMessage());
    }

    @Test
    void aMaxBackoffBelowTheBackoffIsRefused() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> load(Map.of("job.comet-backoff", "1s", "job.comet-max-backoff", "100ms")));
        assertEquals("job.comet-max-backoff: 100ms (expected: >= job.comet-backoff (1000ms))", e.getMessage());
    }

    @Test
    void aCometIdTakesOneAddressOrAList() {
        JobConfig c = load(Map.of("job.comets", Map.of("1", "127.0.0.1:8092", "2", List.of("127.0.0.2:8092", "127.0.0.3:8092"))));
        assertEquals(List.of(new HostPort("127.0.0.1", 8092)), c.comets().get(1));
        assertEquals(List.of(new HostPort("127.0.0.2", 8092), new HostPort("127.0.0.3", 8092)), c.comets().get(2));
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> load(Map.of("job.comets", Map.of("2", List.of()))));
        assertEquals("job.comets.2: [] (expected: at least one address)", e.getMessage());
    }
}
