package io.goim.libs.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Counters of one name told apart by tags whose values are a bounded set not worth
 * listing up front (an operation's name, a refusal's reason): each series is registered
 * the first time its value is counted and kept, so counting never goes back to the
 * registry. Callers must keep the values bounded.
 *
 * <p>Thread-safe.
 */
public final class CounterFamily {
    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final String[] keys;
    private final ConcurrentMap<String, Counter> made = new ConcurrentHashMap<>();

    /** {@code name} without {@code _total} (Prometheus adds it); {@code keys}: the tags that tell them apart. */
    public CounterFamily(MeterRegistry registry, String name, String description, String... keys) {
        this.registry = registry;
        this.name = name;
        this.description = description;
        this.keys = keys.clone();
    }

    /** Registers the counters of {@code values} now (one-key families), so they are exported at 0 before any event. */
    public CounterFamily register(Iterable<String> values) {
        for (String v : values) {
            of(v);
        }
        return this;
    }

    /** The counter of {@code values} (one per key, in order), registered on first use. */
    public Counter of(String... values) {
        if (values.length != keys.length) {
            throw new IllegalArgumentException(name + " is tagged by " + keys.length + " keys, not " + values.length);
        }
        String id = values.length == 1 ? values[0] : String.join("\u0000", values);
        Counter c = made.get(id);
        return c != null ? c : made.computeIfAbsent(id, k -> {
            Counter.Builder b = Counter.builder(name).description(description);
            for (int i = 0; i < keys.length; i++) {
                b.tag(keys[i], values[i]);
            }
            return b.register(registry);
        });
    }
}
