package io.goim.bench.realpath;

import io.goim.bench.ProcessCpu;
import io.goim.bench.StatsDir;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The clients' counters and latency histogram, and the CPU of the measured server process
 * (and of its JIT compiler threads) and of every process of its side (and their JIT
 * compilers), at one instant; two of them bracket a push window.
 */
record Snapshot(long deliveries, long members, Histogram latency, double cpuSeconds, double compilerSeconds,
        Map<String, Double> cpuByProcess, Map<String, Double> compilerByProcess, long nanos) {
    static Snapshot take(Path statsDir, long serverPid, Map<String, Long> processes) throws IOException {
        Map<String, Double> cpu = new LinkedHashMap<>();
        for (Map.Entry<String, Long> p : processes.entrySet()) {
            cpu.put(p.getKey(), ProcessCpu.of(p.getValue()).total());
        }
        return new Snapshot(StatsDir.sum(statsDir, "pushes"), StatsDir.sum(statsDir, "open"),
                StatsDir.histogram(statsDir, "latency"), ProcessCpu.of(serverPid).total(),
                ProcessCpu.compilerSeconds(serverPid), cpu, compilers(processes), System.nanoTime());
    }

    /** The JIT compiler seconds so far of each process. */
    static Map<String, Double> compilers(Map<String, Long> processes) throws IOException {
        Map<String, Double> jit = new LinkedHashMap<>();
        for (Map.Entry<String, Long> p : processes.entrySet()) {
            jit.put(p.getKey(), ProcessCpu.compilerSeconds(p.getValue()));
        }
        return jit;
    }

    /** The sum over the processes of {@link #cpuByProcess}. */
    double allCpuSeconds() {
        return cpuByProcess.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Per process, the CPU used between {@code earlier} and this one. */
    Map<String, Double> cpuSince(Snapshot earlier) {
        return since(cpuByProcess, earlier.cpuByProcess);
    }

    /** Per process, its JIT compilers' CPU between {@code earlier} and this one. */
    Map<String, Double> compilersSince(Snapshot earlier) {
        return since(compilerByProcess, earlier.compilerByProcess);
    }

    static Map<String, Double> since(Map<String, Double> now, Map<String, Double> earlier) {
        Map<String, Double> d = new LinkedHashMap<>();
        now.forEach((name, v) -> d.put(name, v - earlier.getOrDefault(name, 0.0)));
        return d;
    }
}
