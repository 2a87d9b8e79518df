package io.goim.libs.admin;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.LongAdder;

/** Registers the services' own counters, read only when {@code /metrics} is scraped. */
public final class Meters {
    private Meters() {
    }

    /**
     * A counter named {@code name} (Prometheus adds {@code _total}) reading {@code adder};
     * {@code tags} are name, value pairs.
     */
    public static void counter(MeterRegistry registry, String name, LongAdder adder, String description,
            String... tags) {
        FunctionCounter.builder(name, adder, LongAdder::sum).description(description).tags(tags).register(registry);
    }
}
