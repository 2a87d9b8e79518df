package io.goim.client;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2));

    @Test
    void delaysStayWithinTheDoublingCeilingAndTheMaximum() {
        for (int attempt = 0; attempt < 40; attempt++) {
            long ceiling = Math.min(2_000, 100L << Math.min(attempt, 20));
            for (int i = 0; i < 200; i++) {
                long d = backoff.delayMillis(attempt);
                assertTrue(d >= 0 && d <= ceiling, "attempt " + attempt + ": " + d + " > " + ceiling);
            }
        }
    }

    @Test
    void delaysAreSpreadNotAllTheSame() {
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 1_000; i++) {
            long d = backoff.delayMillis(10);
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        assertTrue(max - min > 1_000, "jitter spread only " + (max - min) + " ms");
    }

    @Test
    void nonsenseSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }
}
