package io.goim.bench.realpath;

import com.typesafe.config.Config;
import io.goim.libs.config.InvalidConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The {@code bench.realpath} section, validated. Immutable. */
record Settings(
        Path root,
        Path runDir,
        Path benchJar,
        String kafkaClasspath,
        List<Scenario> scenarios,
        Duration warmup,
        Duration warmupMax,
        double warmupJitQuiet,
        Duration window,
        Duration settle,
        Duration drain,
        Duration loginTimeout,
        int httpParallel,
        int connectInFlight,
        String cometHeap,
        String cometOptions,
        Duration routerDown,
        String java) {

    static Settings from(Config root, List<String> names) {
        io.goim.libs.config.Settings s = io.goim.libs.config.Settings.of(root, "bench.realpath");
        Config c = root.getConfig("bench.realpath");
        List<String> wanted = names.isEmpty() ? c.getStringList("scenarios") : names;
        List<Scenario> scenarios = new ArrayList<>();
        for (String n : wanted) {
            if (!c.hasPath("scenario." + n)) {
                throw new InvalidConfigException("unknown scenario " + n + " (expected one of "
                        + c.getConfig("scenario").root().keySet() + ")");
            }
            scenarios.add(Scenario.from(n, c.getConfig("scenario." + n)));
        }
        if (s.positiveDuration("warmup-max").compareTo(s.positiveDuration("warmup")) < 0) {
            throw new InvalidConfigException("bench.realpath.warmup-max must not be shorter than warmup");
        }
        if (!(c.getDouble("warmup-jit-quiet") >= 0)) {
            throw new InvalidConfigException("bench.realpath.warmup-jit-quiet must be 0 or more (a fraction of one core)");
        }
        String javaHome = System.getProperty("java.home");
        return new Settings(Path.of(s.string("root")).toAbsolutePath(), Path.of(s.string("run-dir")).toAbsolutePath(),
                Path.of(s.string("bench-jar")).toAbsolutePath(), s.string("kafka-classpath"), List.copyOf(scenarios),
                s.positiveDuration("warmup"), s.positiveDuration("warmup-max"), c.getDouble("warmup-jit-quiet"),
                s.positiveDuration("window"), s.positiveDuration("settle"),
                s.positiveDuration("drain"), s.positiveDuration("login-timeout"), s.intAtLeast("http-parallel", 1), s.intAtLeast("connect-in-flight", 1),
                s.string("comet-heap"), s.string("comet-options"), s.positiveDuration("router-down"), Path.of(javaHome, "bin", "java").toString());
    }
}
