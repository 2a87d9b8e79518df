package io.goim.bench.realpath;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Turns measurements into the printed report: figures, ratios of the cluster's to the
 * minimal server's, and met/missed per target. Pure functions; thread-safe.
 */
final class Report {
    private Report() {
    }

    /** A percentile of a µs histogram in milliseconds; NaN when it is empty. */
    static double millis(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    static double maxMillis(Histogram h) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0;
    }

    /** ours / theirs; NaN when either is not a positive number. */
    static double ratio(double ours, double theirs) {
        return ours > 0 && theirs > 0 && Double.isFinite(ours) && Double.isFinite(theirs) ? ours / theirs : Double.NaN;
    }

    /** "p50 1.2 / p99 3.4 / p99.9 5.6 / max 7.8 ms (n=…)". */
    static String latency(Histogram h) {
        return String.format(Locale.ROOT, "p50 %s / p99 %s / p99.9 %s / max %s ms (%,d samples)", num(millis(h, 50)),
                num(millis(h, 99)), num(millis(h, 99.9)), num(maxMillis(h)), h.getTotalCount());
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** The lines of one push window's figures. */
    static List<String> window(Window.Result r) {
        List<String> l = new ArrayList<>();
        HttpPusher.Outcome p = r.pushed();
        l.add(String.format(Locale.ROOT, "  %s: %,d members; sent %,d, accepted %,d, refused %,d, failed %,d, not sent (all %s busy) %,d",
                r.server(), r.members(), p.sent(), p.accepted(), p.refused(), p.failed(),
                "requests", p.late()));
        if (!p.firstRefusal().isEmpty()) {
            l.add("    first refusal: " + p.firstRefusal());
        }
        if (p.answerMicros() != null && p.answerMicros().getTotalCount() > 0) {
            l.add("    HTTP answer time: " + latency(p.answerMicros()));
        }
        l.add(String.format(Locale.ROOT, "    delivered %,d of %,d expected (%.2f %%) in %.0f s push + %.1f s drain",
                r.delivered(), r.expected(), r.expected() > 0 ? 100.0 * r.delivered() / r.expected() : Double.NaN,
                r.pushSeconds(), r.drainSeconds()));
        l.add("    latency (send → client): " + latency(r.latency()));
        AcceptedLatency.Result a = r.accepted();
        if (a != null) {
            l.add("    latency (accepted (HTTP answer) → client): " + latency(a.latency()));
            l.add(String.format(Locale.ROOT, "      joined by sequence: %,d of %,d expected deliveries of %,d accepted pushes;"
                            + " %,d never received; %,d arrived before their answer (counted as 0 ms); %,d duplicates",
                    a.joined(), a.expected(), a.accepted(), a.missing(), a.early(), a.extra()));
        }
        l.add(String.format(Locale.ROOT, "    server CPU %.2f s (of which its JIT compiler %.2f s; all its processes %.2f s); "
                        + "%s deliveries per server CPU-second", r.cpuSeconds(), r.compilerSeconds(), r.allCpuSeconds(),
                num(r.deliveriesPerCpuSecond())));
        l.add("    CPU by process (JIT compilers): " + cpuByProcess(r.cpuByProcess(), r.compilerByProcess())
                + String.format(Locale.ROOT, "; after %.0f s of warm-up", r.warmupSeconds()));
        Histograms.summaries(r.counters()).forEach(h -> l.add("    " + h));
        r.counters().forEach((k, v) -> {
            if (!Histograms.part(k)) {
                l.add(String.format(Locale.ROOT, "    metric %s%s", k, num(v)));
            }
        });
        return l;
    }

    /** Ratio lines and target verdicts of a room/user scenario; {@code baseline} may be null. */
    static List<String> verdicts(Scenario.Targets t, Window.Result ours, Window.Result baseline) {
        List<String> l = new ArrayList<>();
        double p99 = millis(ours.latency(), 99);
        if (baseline != null) {
            double cpuRatio = ratio(ours.deliveriesPerCpuSecond(), baseline.deliveriesPerCpuSecond());
            double p99Ratio = ratio(p99, millis(baseline.latency(), 99));
            l.add(String.format(Locale.ROOT, "  ratio to the minimal server: deliveries per CPU-s %s×, p99 %s×",
                    num(cpuRatio), num(p99Ratio)));
            if (!Double.isNaN(t.cpuRatio())) {
                l.add(verdict("deliveries per CPU-s ≥ " + t.cpuRatio() + "× minimal server", num(cpuRatio) + "×",
                        cpuRatio >= t.cpuRatio()));
            }
            if (!Double.isNaN(t.p99Ratio())) {
                l.add(verdict("p99 ≤ " + t.p99Ratio() + "× minimal server's", num(p99Ratio) + "×", p99Ratio <= t.p99Ratio()));
            }
        }
        if (t.allDelivered()) {
            l.add(verdict("every accepted delivery arrives", String.format(Locale.ROOT, "%,d of %,d",
                    ours.delivered(), ours.expected()), ours.delivered() >= ours.expected() && ours.expected() > 0));
        }
        if (!Double.isNaN(t.p99Millis())) {
            AcceptedLatency.Result a = ours.accepted();
            if (a == null) {
                l.add(verdict("p99 ≤ " + num(t.p99Millis()) + " ms", num(p99) + " ms", p99 <= t.p99Millis()));
            } else {
                // User pushes: judged from logic's answer, a delivery never received ranked above every other.
                double accepted = a.millisCountingMissing(99);
                l.add(verdict("p99 (accepted → client) ≤ " + num(t.p99Millis()) + " ms",
                        (Double.isInfinite(accepted) ? "beyond every delivery (" + a.missing() + " never received)"
                                : num(accepted) + " ms") + "; send → client " + num(p99) + " ms",
                        accepted <= t.p99Millis()));
            }
        }
        return l;
    }

    /** "kafka 2.10 s (0.40), router 0.30 s (0.00), …" in the map's order: CPU and, where known, its JIT compilers' part. */
    static String cpuByProcess(java.util.Map<String, Double> cpu, java.util.Map<String, Double> jit) {
        StringBuilder b = new StringBuilder();
        cpu.forEach((name, seconds) -> {
            b.append(b.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s %.2f s", name, seconds));
            if (jit.containsKey(name)) {
                b.append(String.format(Locale.ROOT, " (%.2f)", jit.get(name)));
            }
        });
        return b.toString();
    }

    static String verdict(String target, String measured, boolean met) {
        return "  TARGET " + target + ": " + measured + " → " + (met ? "met" : "MISSED");
    }
}
