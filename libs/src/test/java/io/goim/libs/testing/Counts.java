package io.goim.libs.testing;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.MeterNotFoundException;

/**
 * Reads a counter from a service's meter registry, the one {@code /metrics} shows, so a
 * test that counts through it also proves the metric exists: a missing counter fails the
 * test ({@link MeterNotFoundException}) rather than reading 0.
 */
public final class Counts {
    private Counts() {
    }

    /** The count of the counter {@code name} (without {@code _total}) with {@code tags} (name, value pairs). */
    public static long of(MeterRegistry registry, String name, String... tags) {
        return Math.round(registry.get(name).tags(tags).counter().count());
    }

    /** The counts of every series of the counter {@code name} summed; 0 while there is none (e.g. per comet, before one). */
    public static long sum(MeterRegistry registry, String name) {
        return Math.round(registry.find(name).counters().stream().mapToDouble(Counter::count).sum());
    }
}
