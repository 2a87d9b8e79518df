package io.goim.bench.capacity;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * Prints the capacity plan's tables (docs/capacity.md) from {@code capacity.conf}: the
 * measured inputs with their sources, the assumptions and the workload. Any key can be
 * overridden with {@code -Dcapacity.<path>=<value>}, e.g. {@code -Dcapacity.workload.comets=60}.
 *
 * <p>Run: {@code bench/scripts/capacity.sh}
 */
public final class CapacityPlan {
    private CapacityPlan() {
    }

    public static void main(String[] args) {
        System.out.print(render(load()));
    }

    /** capacity.conf from the classpath under the system properties. */
    static Config load() {
        ConfigFactory.invalidateCaches();
        return ConfigFactory.systemProperties()
                .withFallback(ConfigFactory.parseResources("capacity.conf"))
                .resolve().getConfig("capacity");
    }

    static String render(Config capacity) {
        Plan plan = new Plan(Inputs.from(capacity), Workload.from(capacity.getConfig("workload")));
        StringBuilder b = new StringBuilder();
        for (Table t : plan.tables()) {
            b.append(t.markdown()).append('\n');
        }
        return b.toString();
    }
}
