package io.goim.bench.scaleout;

import com.typesafe.config.Config;
import io.goim.libs.config.InvalidConfigException;
import io.goim.libs.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** The {@code bench.scaleout} section, validated. Immutable. */
record ScaleOutSettings(
        Path root,
        Path runDir,
        String kafkaClasspath,
        List<String> stores,
        int comets,
        int routers,
        int logics,
        int jobs,
        int partitions,
        int tcpPerComet,
        int wsPerComet,
        int rooms,
        int rate,
        Duration phase,
        boolean addJob,
        boolean stopJob,
        boolean addComet,
        Duration drain,
        Duration countWithin,
        Duration httpTimeout,
        String cometOptions) {

    static final Set<String> STORES = Set.of("router", "redis");

    static ScaleOutSettings from(Config root) {
        Settings s = Settings.of(root, "bench.scaleout");
        List<String> stores = s.strings("stores");
        if (stores.isEmpty()) {
            throw s.invalid("stores", "[]", "one or both of " + STORES);
        }
        for (String v : stores) {
            if (!STORES.contains(v)) {
                throw s.invalid("stores", v, "one of " + STORES);
            }
        }
        return new ScaleOutSettings(Path.of(s.string("root")).toAbsolutePath(),
                Path.of(s.string("run-dir")).toAbsolutePath(), s.string("kafka-classpath"), List.copyOf(stores),
                s.intAtLeast("comets", 1), s.intAtLeast("routers", 1), s.intAtLeast("logics", 1),
                s.intAtLeast("jobs", 1), s.intAtLeast("partitions", 1), s.intAtLeast("tcp-per-comet", 0),
                s.intAtLeast("ws-per-comet", 0), s.intAtLeast("rooms", 1), s.intAtLeast("rate", 1),
                s.positiveDuration("phase"), s.bool("add-job"), s.bool("stop-job"), s.bool("add-comet"),
                s.positiveDuration("drain"), s.positiveDuration("count-within"), s.positiveDuration("http-timeout"),
                s.string("comet-options"));
    }

    ScaleOutSettings {
        if (kafkaClasspath.isBlank()) {
            throw new InvalidConfigException("bench.scaleout.kafka-classpath: empty (expected: the Kafka broker's classpath)");
        }
        if (tcpPerComet + wsPerComet == 0) {
            throw new InvalidConfigException("bench.scaleout: tcp-per-comet + ws-per-comet = 0 (expected: clients on every comet)");
        }
        if (stopJob && jobs + (addJob ? 1 : 0) < 2) {
            throw new InvalidConfigException("bench.scaleout: stop-job with one job leaves none (expected: jobs >= 2 or add-job)");
        }
    }
}
