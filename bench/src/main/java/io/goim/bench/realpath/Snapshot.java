package io.goim.bench.realpath;

import io.goim.bench.ProcessCpu;
import io.goim.bench.StatsDir;
import java.io.IOException;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;

/**
 * The clients' counters and latency histogram, and one server process's CPU, at one
 * instant; two of them bracket a push window.
 */
record Snapshot(long deliveries, long members, Histogram latency, double cpuSeconds, double allCpuSeconds, long nanos) {
    static Snapshot take(Path statsDir, long serverPid, long[] allPids) throws IOException {
        double all = 0;
        for (long pid : allPids) {
            all += ProcessCpu.of(pid).total();
        }
        return new Snapshot(StatsDir.sum(statsDir, "pushes"), StatsDir.sum(statsDir, "open"),
                StatsDir.histogram(statsDir, "latency"), ProcessCpu.of(serverPid).total(), all, System.nanoTime());
    }
}
