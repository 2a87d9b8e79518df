package io.goim.bench.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.bench.realpath.Cluster;
import io.goim.bench.realpath.Processes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fault suite's short run: the real processes from the shaded jars (Kafka too, from
 * the test classpath), on free ports; few clients and short windows; job, a comet, the
 * router and logic each killed with SIGKILL and restarted. Killing Kafka is left to the full
 * suite ({@code bench/scripts/faults.sh}), which takes a broker 15 s or more to come back.
 * Runs in the integration-test phase, after the service modules were packaged.
 */
class FaultSuiteIT {

    @Test
    void nothingAcceptedIsLostWhenAServiceIsKilledAndRestarted() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        FaultSettings s = new FaultSettings(root, root.resolve("bench/target/faults-it"), cp, 0,
                List.of("job", "comet", "router", "logic"), 3, 3, 4, 20, 10, 5, Duration.ofSeconds(2),
                Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(30),
                Duration.ofSeconds(5), true);
        List<KillResult> results;
        try (Processes processes = new Processes()) {
            results = new FaultSuite(s, processes, Cluster.Ports.free(2)).run();
        }
        assertEquals(4, results.size());
        for (KillResult r : results) {
            assertTrue(r.ok(), r.service() + ": " + r.problems());
            assertEquals(0, r.lost(), r.service());
            for (KindResult k : r.kinds()) {
                assertTrue(k.accepted() > 0 && k.members() > 0, r.service() + " " + k);
                assertEquals(0, k.outOfOrder(), r.service() + " " + k);
            }
        }
        // The comet's clients lost their connection and came back on the other comet.
        assertEquals(6, results.get(1).reconnected());
        assertTrue(results.get(1).counters().getOrDefault("job.givenUp", 0.0) >= 0);
    }
}
