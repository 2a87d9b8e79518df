package io.goim.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.config.InvalidConfigException;
import java.time.Duration;
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
}
