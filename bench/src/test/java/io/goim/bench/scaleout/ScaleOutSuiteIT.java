package io.goim.bench.scaleout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.bench.realpath.Processes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scale-out suite's short run: the real processes from the shaded jars (Kafka from the
 * test classpath) on free ports: two comets, one router, one logic, two jobs sharing eight
 * partitions, TCP and WebSocket clients in four rooms (some users on both comets, some in
 * no room); every kind of push streams while the first job is stopped, so the second takes
 * all partitions. Every accepted push must reach exactly the connections it is for, once,
 * and /1/count must be right. The full topology (3 comets, 2 routers or Redis, 2 logics, a
 * job added) is {@code bench/scripts/scaleout-suite.sh}. Runs in the integration-test
 * phase, after the service modules were packaged.
 */
class ScaleOutSuiteIT {

    @Test
    void everyPushReachesExactlyItsConnectionsWhileAJobLeaves() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ScaleOutSettings s = new ScaleOutSettings(root, root.resolve("bench/target/scaleout-it"), cp, List.of("router"),
                2, 1, 1, 2, 8, 8, 8, 4, 20, Duration.ofSeconds(3), false, true, false, Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ofSeconds(5), "");
        ScaleOutSuite.Result r;
        try (Processes processes = new Processes()) {
            r = new ScaleOutSuite(s, processes).run("router");
        }
        assertTrue(r.ok(), r.problems().toString());
        assertEquals(List.of("steady", "job stopped"), List.copyOf(r.scenarios().keySet()));
        for (List<Tally.Row> rows : r.scenarios().values()) {
            for (Tally.Row row : rows) {
                assertTrue(row.accepted() > 0 && row.owed() > 0, row.toString());
                assertEquals(row.owed(), row.delivered(), row.toString());
                assertEquals(0, row.wrong(), row.toString());
            }
        }
        assertEquals(0, r.lost());
    }
}
