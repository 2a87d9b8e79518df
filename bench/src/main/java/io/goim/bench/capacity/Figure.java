package io.goim.bench.capacity;

import com.typesafe.config.Config;

/** One measured input of the plan: its value, unit, and where it was measured. */
public record Figure(double value, String unit, String source) {

    static Figure from(Config c) {
        return new Figure(c.getDouble("value"), c.getString("unit"), c.getString("source"));
    }
}
