package io.goim.bench.faults;

import com.typesafe.config.Config;
import io.goim.libs.config.InvalidConfigException;
import io.goim.libs.config.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** The {@code bench.faults} section, validated. Immutable. */
record FaultSettings(
        Path root,
        Path runDir,
        String kafkaClasspath,
        int portBase,
        List<String> kills,
        int tcpPerComet,
        int wsPerComet,
        int users,
        int roomRate,
        int userRate,
        int broadcastRate,
        Duration warmup,
        Duration steady,
        Duration down,
        Duration after,
        Duration drain,
        Duration httpTimeout,
        boolean jobStaticMember) {

    static final Set<String> KILLABLE = Set.of("job", "comet", "router", "logic", "kafka");

    static FaultSettings from(Config root) {
        Settings s = Settings.of(root, "bench.faults");
        List<String> kills = s.strings("kills");
        for (String k : kills) {
            if (!KILLABLE.contains(k)) {
                throw s.invalid("kills", k, "one of " + KILLABLE);
            }
        }
        return new FaultSettings(Path.of(s.string("root")).toAbsolutePath(),
                Path.of(s.string("run-dir")).toAbsolutePath(), s.string("kafka-classpath"), s.intAtLeast("port-base", 1024),
                List.copyOf(kills), s.intAtLeast("tcp-per-comet", 1), s.intAtLeast("ws-per-comet", 0),
                s.intAtLeast("users", 1), s.intAtLeast("room-rate", 1), s.intAtLeast("user-rate", 1),
                s.intAtLeast("broadcast-rate", 1), s.positiveDuration("warmup"), s.positiveDuration("steady"),
                s.positiveDuration("down"), s.positiveDuration("after"), s.positiveDuration("drain"),
                s.positiveDuration("http-timeout"), s.bool("job-static-member"));
    }

    FaultSettings {
        if (kafkaClasspath.isBlank()) {
            throw new InvalidConfigException("bench.faults.kafka-classpath: empty (expected: the Kafka broker's classpath)");
        }
    }
}
