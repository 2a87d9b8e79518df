package io.goim.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: attempt n waits a random time in
 * {@code [0, min(max, base * 2^n)]}, so a crowd of clients dropped at once (a comet
 * restart) comes back spread out instead of in one thundering herd.
 *
 * <p>Immutable and thread-safe.
 */
public record Backoff(Duration base, Duration max) {
    public Backoff {
        if (base.isNegative() || base.isZero()) {
            throw new IllegalArgumentException("base: " + base + " (expected: > 0)");
        }
        if (max.compareTo(base) < 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= base " + base + ")");
        }
    }

    /** 500 ms doubling up to 30 s. */
    public static Backoff defaults() {
        return new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
    }

    /** The delay before attempt {@code attempt} (0 for the first retry). */
    public long delayMillis(int attempt) {
        long cap = max.toMillis();
        long ceiling = attempt >= 30 ? cap : Math.min(cap, base.toMillis() << attempt);
        return ThreadLocalRandom.current().nextLong(ceiling + 1);
    }
}
