package io.goim.bench.realpath;

import io.goim.bench.StatsDir;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * One measured push window: warm up (same load, not counted) for at least {@code warmup}
 * and then on, in steps, until the JIT compilers of the side's processes are quiet (at
 * most {@code warmup-max}), wait until deliveries are still, take a {@link Snapshot}, push for the window, wait until deliveries are still
 * again (at most {@code drain} after the last push), take a second snapshot. So the CPU
 * window covers every delivery it counts, plus at most {@code settle} of idle server.
 */
final class Window {
    /** Pushes for a duration; says what it sent. */
    interface Pusher {
        HttpPusher.Outcome push(Duration length) throws IOException, InterruptedException;
    }

    /**
     * The outcome of one window at one server (the cluster's comet, or the minimal server).
     *
     * @param latency  send → client of every stamped delivery, µs
     * @param accepted accepted (HTTP answer) → client, joined by sequence; null unless the clients logged receipts
     * @param compilerSeconds the server's JIT compiler threads, part of {@code cpuSeconds}
     * @param cpuByProcess every process of the server's side, and this tool (the pusher)
     * @param compilerByProcess the JIT compiler threads of each, part of {@code cpuByProcess}
     * @param warmupSeconds how long the load ran before the window
     */
    record Result(String server, long members, long perMessage, HttpPusher.Outcome pushed, long delivered,
            Histogram latency, double cpuSeconds, double compilerSeconds, double allCpuSeconds,
            Map<String, Double> cpuByProcess, Map<String, Double> compilerByProcess, double warmupSeconds,
            double pushSeconds, double drainSeconds,
            Map<String, Double> counters, AcceptedLatency.Result accepted) {
        long expected() {
            return pushed.accepted() * perMessage;
        }

        double deliveriesPerCpuSecond() {
            return cpuSeconds > 0 ? delivered / cpuSeconds : Double.NaN;
        }
    }

    /** This process (the HTTP pusher, and the minimal server's driver), in {@link Result#cpuByProcess} only. */
    static final String TOOL = "this tool";

    private final Settings s;

    Window(Settings s) {
        this.s = s;
    }

    /**
     * @param perMessage deliveries one accepted message should make (the room's members, or 1 for a user push);
     *                   0 means "the members at the first snapshot"
     * @param admins     services whose interesting metrics are compared before and after
     * @param receipts   the clients log receipts: join them with the window's accepted pushes ({@link AcceptedLatency})
     */
    Result measure(String server, Pusher pusher, Path statsDir, long serverPid, Map<String, Long> processes, long perMessage,
            List<Admin> admins, boolean receipts) throws IOException, InterruptedException {
        double warmup = warmUp(pusher, processes);
        settle(statsDir, System.nanoTime());
        Map<String, Double> before = scrape(admins);
        Map<String, Long> measured = new LinkedHashMap<>(processes);
        measured.put(TOOL, ProcessHandle.current().pid());
        Snapshot a = Snapshot.take(statsDir, serverPid, measured);
        HttpPusher.Outcome out = pusher.push(s.window());
        long pushEnd = System.nanoTime();
        settle(statsDir, pushEnd);
        Snapshot b = Snapshot.take(statsDir, serverPid, measured);
        Map<String, Double> after = scrape(admins);
        Histogram latency = b.latency().copy();
        latency.subtract(a.latency());
        long per = perMessage == 0 ? a.members() : perMessage;
        // settle() saw the delivery count still for 2 s and the clients append their receipts
        // every 500 ms, so every delivery counted in b is in the receipts read here.
        AcceptedLatency.Result accepted = receipts ? AcceptedLatency.of(out, per, statsDir) : null;
        return new Result(server, a.members(), per, out,
                b.deliveries() - a.deliveries(), latency, b.cpuSeconds() - a.cpuSeconds(),
                b.compilerSeconds() - a.compilerSeconds(), b.allCpuSeconds() - a.allCpuSeconds() - (b.cpuByProcess().get(TOOL)
                        - a.cpuByProcess().get(TOOL)), b.cpuSince(a), b.compilersSince(a), warmup, s.window().toNanos() / 1e9,
                Math.max(0, b.nanos() - pushEnd) / 1e9, delta(before, after), accepted);
    }

    /**
     * Pushes for {@code warmup}, then on in steps of {@link #WARMUP_STEP} while the JIT
     * compilers of the side's processes together used more than {@code warmup-jit-quiet} of
     * a core in the last step, for {@code warmup-max} at most. Why: at 200 pushes/s a method
     * called once per push needs about a minute to reach C2's thresholds, so logic's and
     * job's compilers were still working two minutes into the load and took cores from the
     * comet in the window; a cluster that has run for a while no longer pays that. The
     * window's report shows what compiling is left (JIT seconds per process).
     *
     * @return seconds of load before the window
     */
    private double warmUp(Pusher pusher, Map<String, Long> processes) throws IOException, InterruptedException {
        long start = System.nanoTime();
        pusher.push(s.warmup());
        Duration step = WARMUP_STEP;
        while (System.nanoTime() - start + step.toNanos() <= s.warmupMax().toNanos()) {
            double before = sum(Snapshot.compilers(processes));
            long t0 = System.nanoTime();
            pusher.push(step);
            double busy = (sum(Snapshot.compilers(processes)) - before) / ((System.nanoTime() - t0) / 1e9);
            if (busy <= s.warmupJitQuiet()) {
                break;
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** One step of the warm-up's tail: long enough that one compilation does not decide it. */
    private static final Duration WARMUP_STEP = Duration.ofSeconds(5);

    private static double sum(Map<String, Double> m) {
        return m.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Waits until the clients' delivery count has not moved for {@code settle}, at most {@code drain} after {@code from}. */
    void settle(Path statsDir, long from) throws IOException, InterruptedException {
        long last = StatsDir.sum(statsDir, "pushes");
        long stillSince = System.nanoTime();
        long deadline = from + s.drain().toNanos();
        while (System.nanoTime() - stillSince < s.settle().toNanos() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            long now = StatsDir.sum(statsDir, "pushes");
            if (now != last) {
                last = now;
                stillSince = System.nanoTime();
            }
        }
    }

    private static Map<String, Double> scrape(List<Admin> admins) throws IOException, InterruptedException {
        Map<String, Double> all = new LinkedHashMap<>();
        for (Admin a : admins) {
            a.metrics(false).forEach((k, v) -> all.put(a.name() + " " + k, v));
        }
        return all;
    }

    /**
     * Counters ({@code _total}, and a histogram's {@code _count}, {@code _sum} and
     * {@code _bucket}s) as their change, other samples (gauges) as their last value;
     * unchanged zeros left out.
     */
    static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Double> d = new LinkedHashMap<>();
        after.forEach((k, v) -> {
            String name = k.contains("{") ? k.substring(0, k.indexOf('{')) : k;
            boolean counter = name.endsWith("_total") || name.endsWith("_count") || name.endsWith("_sum")
                    || name.endsWith("_bucket");
            double value = counter ? v - before.getOrDefault(k, 0.0) : v;
            if (value != 0) {
                d.put(k + (counter ? " +" : " ="), value);
            }
        });
        return d;
    }
}
