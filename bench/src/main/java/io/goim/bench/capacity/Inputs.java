package io.goim.bench.capacity;

import com.typesafe.config.Config;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The measured figures (capacity.measured, each with its source) and the stated assumptions
 * (capacity.assumed) the plan is computed from.
 */
public record Inputs(Map<String, Figure> measured, Config assumed) {

    static Inputs from(Config capacity) {
        Config m = capacity.getConfig("measured");
        Map<String, Figure> measured = new LinkedHashMap<>();
        m.root().keySet().stream().sorted().forEach(k -> measured.put(k, Figure.from(m.getConfig(k))));
        return new Inputs(measured, capacity.getConfig("assumed"));
    }

    double m(String key) {
        Figure f = measured.get(key);
        if (f == null) {
            throw new IllegalArgumentException("no measured figure " + key);
        }
        return f.value();
    }

    double a(String key) {
        return assumed.getDouble(key);
    }
}
