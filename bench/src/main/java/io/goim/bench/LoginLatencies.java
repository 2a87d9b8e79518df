package io.goim.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Login latency of each connection of one load-client process: from the start of its
 * first TCP connect to its auth reply (op 8), retries included, so a login that needed a
 * second attempt counts with everything it waited. Thread-safe: event loops record, the
 * report thread reads percentiles over the connections logged in so far.
 */
final class LoginLatencies {
    private final AtomicLongArray firstStart;
    private final AtomicLongArray latency;

    LoginLatencies(int connections) {
        firstStart = new AtomicLongArray(connections);
        latency = new AtomicLongArray(connections);
    }

    /** Connection {@code i} starts its first attempt now (later attempts keep this start). */
    void started(int i, long nanos) {
        firstStart.compareAndSet(i, 0, nanos);
    }

    /** Connection {@code i} got its auth reply now. */
    void loggedIn(int i, long nanos) {
        latency.set(i, Math.max(1, nanos - firstStart.get(i)));
    }

    /** Milliseconds at percentiles 50, 99 and 100 of the logins so far; zeros before the first. */
    long[] percentilesMillis() {
        long[] done = new long[latency.length()];
        int n = 0;
        for (int i = 0; i < done.length; i++) {
            long v = latency.get(i);
            if (v > 0) {
                done[n++] = v;
            }
        }
        if (n == 0) {
            return new long[3];
        }
        Arrays.sort(done, 0, n);
        return new long[] {at(done, n, 0.50), at(done, n, 0.99), done[n - 1] / 1_000_000};
    }

    private static long at(long[] sorted, int n, double q) {
        return sorted[Math.min(n - 1, (int) Math.ceil(q * n) - 1)] / 1_000_000;
    }
}
