package io.goim.comet.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.proto.CometInstance;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The CPU load a comet announces: process CPU time over wall time and cores, smoothed. */
class CpuLoadTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong cpu = new AtomicLong();
    private final AtomicLong wall = new AtomicLong();

    private void run(long wallNanos, long cpuNanos) {
        wall.addAndGet(wallNanos);
        cpu.addAndGet(cpuNanos);
    }

    @Test
    void theShareOfTheCoresUsedSmoothedWithTheTimeConstantFromZero() {
        CpuLoad load = new CpuLoad(cpu::get, wall::get, 2, Duration.ofSeconds(2));
        assertEquals(0, load.sample(), "nothing measured yet: a new comet counts as idle");
        double a = 1 - Math.exp(-1); // the weight of a 2 s window with a 2 s time constant
        run(2 * SECOND, 2 * SECOND); // one of two cores busy
        double expected = a * 0.5;
        assertEquals(expected, load.sample(), 1e-9, "its start-up does not count in full");
        run(2 * SECOND, 0); // idle
        expected += a * (0 - expected);
        assertEquals(expected, load.sample(), 1e-9);
        run(2 * SECOND, 4 * SECOND); // both cores
        expected += a * (1 - expected);
        assertEquals(expected, load.sample(), 1e-9);
        run(SECOND / 100, SECOND / 100); // too short a window: the last value, nothing measured
        assertEquals(expected, load.sample(), 1e-9);
        for (int i = 0; i < 20; i++) {
            run(2 * SECOND, 4 * SECOND);
            load.sample();
        }
        assertEquals(1, load.sample(), 1e-6, "busy for long: the average reaches the load");
    }

    @Test
    void withoutSmoothingTheLastWindowAlone() {
        CpuLoad load = new CpuLoad(cpu::get, wall::get, 4, Duration.ZERO);
        run(SECOND, SECOND);
        assertEquals(0.25, load.sample(), 1e-9);
        run(SECOND, 3 * SECOND);
        assertEquals(0.75, load.sample(), 1e-9);
    }

    @Test
    void unknownWhenTheJvmCannotTell() {
        CpuLoad load = new CpuLoad(() -> -1, wall::get, 2, Duration.ofSeconds(10));
        run(SECOND, 0);
        assertEquals(-1, load.sample());
    }

    @Test
    void thisProcessMeasuresSomething() {
        CpuLoad load = CpuLoad.ofThisProcess(Duration.ZERO);
        long end = System.nanoTime() + 300_000_000L;
        double x = 0;
        while (System.nanoTime() < end) { // a busy core for the window
            x += Math.sqrt(x + 1);
        }
        double measured = load.sample();
        assertTrue(measured > 0 && measured <= 1, "busy for 300 ms: " + measured + " (" + x + ")");
    }

    @Test
    void theAnnouncementCarriesTheSampledLoad() {
        SimpleMeterRegistry r = new SimpleMeterRegistry();
        CometAnnouncer announcer = new CometAnnouncer(CometInstance.newBuilder().setServer(3).build(), () -> 12,
                () -> 4, () -> 0.42, c -> CompletableFuture.completedFuture(null),
                i -> CompletableFuture.completedFuture(null), Duration.ofSeconds(1), r.counter("ok"), r.counter("failed"));
        CometInstance now = announcer.current();
        assertEquals(0.42, now.getCpu());
        assertEquals(12, now.getConnections());
    }
}
