package io.goim.comet.cluster;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * This process's CPU load as the comet announces it (docs/operations.md, "Comet
 * discovery"): the share of the machine's cores the process used, 0..1, smoothed so that
 * one busy second (a GC, a burst of logins) does not swing where the nodes API sends new
 * clients. Each {@link #sample} measures the process CPU time used since the previous one
 * over the wall time between them and the number of cores, and folds it into an
 * exponentially weighted average with time constant {@code smoothing}: a sample taken
 * {@code dt} after the previous one weighs {@code 1 - exp(-dt / smoothing)}. The average
 * starts from 0: a comet that just started has no clients yet, and the work of its start
 * (class loading, the JIT) is not the load of clients, so a new comet is not kept from
 * taking clients by its own start-up.
 *
 * <p>Measured from {@code getProcessCpuTime} differences rather than
 * {@code getProcessCpuLoad}: the latter is "since its previous call", and every caller
 * of that JVM-wide bean (a metrics scrape) moves its window.
 *
 * <p>Thread-safe.
 */
public final class CpuLoad {
    /** Shorter windows than this are not measured: too few scheduler ticks to mean anything. */
    private static final long MIN_WINDOW_NANOS = 100_000_000L;

    private final LongSupplier cpuNanos;
    private final LongSupplier wallNanos;
    private final int cores;
    private final double smoothingNanos;
    private long lastCpu; // guarded by this
    private long lastWall; // guarded by this
    private double smoothed; // guarded by this

    /**
     * @param cpuNanos the process CPU time used so far, nanoseconds; negative when unknown
     * @param wallNanos a monotonic clock
     * @param cores the cores the process may use
     * @param smoothing the averaging time constant; zero: the last window alone
     */
    CpuLoad(LongSupplier cpuNanos, LongSupplier wallNanos, int cores, Duration smoothing) {
        this.cpuNanos = cpuNanos;
        this.wallNanos = wallNanos;
        this.cores = Math.max(1, cores);
        this.smoothingNanos = smoothing.toNanos();
        this.lastCpu = cpuNanos.getAsLong();
        this.lastWall = wallNanos.getAsLong();
    }

    /** This JVM's load, over the cores it sees. */
    public static CpuLoad ofThisProcess(Duration smoothing) {
        LongSupplier cpu = ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os::getProcessCpuTime : () -> -1L;
        return new CpuLoad(cpu, System::nanoTime, Runtime.getRuntime().availableProcessors(), smoothing);
    }

    /**
     * Measures the window since the last sample and returns the smoothed load, 0..1; -1
     * when the JVM cannot tell.
     */
    public synchronized double sample() {
        long cpu = cpuNanos.getAsLong();
        long wall = wallNanos.getAsLong();
        long dt = wall - lastWall;
        if (cpu < 0 || lastCpu < 0) {
            lastCpu = cpu;
            lastWall = wall;
            return -1;
        }
        if (dt < MIN_WINDOW_NANOS) {
            return smoothed;
        }
        double load = Math.min(1, Math.max(0, (cpu - lastCpu) / ((double) dt * cores)));
        lastCpu = cpu;
        lastWall = wall;
        if (smoothingNanos <= 0) {
            smoothed = load;
        } else {
            double alpha = 1 - Math.exp(-dt / smoothingNanos);
            smoothed += alpha * (load - smoothed);
        }
        return smoothed;
    }
}
