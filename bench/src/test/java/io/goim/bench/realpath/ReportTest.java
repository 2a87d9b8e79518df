package io.goim.bench.realpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.bench.Latencies;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Ratios, verdicts, metric deltas. */
class ReportTest {
    private static Window.Result result(long delivered, long accepted, long members, double cpu, long p99Micros) {
        Histogram h = Latencies.newHistogram();
        h.recordValueWithCount(1_000, 98);
        h.recordValueWithCount(p99Micros, 2);
        return new Window.Result("x", members, members, new HttpPusher.Outcome(accepted, accepted, 0, 0, 0, null, "", Map.of()),
                delivered, h, cpu, 0, cpu, Map.of(), Map.of(), 45, 20, 1, Map.of(), null);
    }

    @Test
    void ratiosAndVerdictsCompareWithTheMinimalServer() {
        // Ours: 4,000,000 deliveries for 4 CPU-s, p99 300 ms; theirs: 4,000,000 for 2 CPU-s, p99 100 ms.
        Window.Result ours = result(4_000_000, 400, 10_000, 4.0, 300_000);
        Window.Result theirs = result(4_000_000, 400, 10_000, 2.0, 100_000);
        assertEquals(1_000_000, ours.deliveriesPerCpuSecond());
        assertEquals(0.5, Report.ratio(ours.deliveriesPerCpuSecond(), theirs.deliveriesPerCpuSecond()), 1e-9);
        List<String> v = Report.verdicts(new Scenario.Targets(true, 500, 2.0, 0.8, -1, Double.NaN, Double.NaN, Double.NaN), ours, theirs);
        String all = String.join("\n", v);
        assertTrue(all.contains("deliveries per CPU-s 0.50×"), all);
        assertTrue(all.contains("≥ 0.8× minimal server: 0.50× → MISSED"), all);
        assertTrue(all.contains("p99 ≤ 2.0× minimal server's: 3.00× → MISSED"), all);
        assertTrue(all.contains("every accepted delivery arrives: 4,000,000 of 4,000,000 → met"), all);
        // 300 ms within the histogram's 1 % resolution.
        assertTrue(all.matches("(?s).*p99 ≤ 500 ms: 30[0-3] ms → met.*"), all);
        assertTrue(Double.isNaN(Report.ratio(1, 0)));
        assertTrue(Double.isNaN(Report.millis(Latencies.newHistogram(), 99)));
    }

    @Test
    void countersAreComparedAndInterestingMetricsPicked() {
        String text = """
                # HELP goim_comet_pushes_total Pushes
                goim_comet_pushes_total{outcome="dropped"} 10.0
                goim_comet_pushes_total{outcome="queued"} 5.0
                goim_job_room_largest_batch 11.0
                goim_comet_connections 3.0
                """;
        Map<String, Double> before = Admin.parse(text, false);
        assertEquals(Map.of("goim_comet_pushes_total{outcome=\"dropped\"}", 10.0, "goim_job_room_largest_batch", 11.0),
                before, "a drop in a label counts, queued pushes and connections do not");
        Map<String, Double> all0 = Admin.parse(text, true);
        Map<String, Double> all1 = Admin.parse(text.replace("10.0", "25.0"), true);
        Map<String, Double> d = Window.delta(all0, all1);
        assertEquals(15.0, d.get("goim_comet_pushes_total{outcome=\"dropped\"} +"));
        assertEquals(3.0, d.get("goim_comet_connections ="));
        assertTrue(!d.containsKey("goim_comet_pushes_total{outcome=\"queued\"} +"), d.toString());
    }

    @Test
    void aHistogramIsSummedOverTheWindowFromItsBucketsChanges() {
        String before = """
                goim_comet_push_room_wait_seconds_bucket{service="comet",le="0.1"} 10.0
                goim_comet_push_room_wait_seconds_bucket{service="comet",le="0.2"} 10.0
                goim_comet_push_room_wait_seconds_bucket{service="comet",le="0.4"} 10.0
                goim_comet_push_room_wait_seconds_bucket{service="comet",le="+Inf"} 10.0
                goim_comet_push_room_wait_seconds_count{service="comet"} 10.0
                goim_comet_push_room_wait_seconds_sum{service="comet"} 0.5
                """;
        String after = """
                goim_comet_push_room_wait_seconds_bucket{service="comet",le="0.1"} 60.0
                goim_comet_push_room_wait_seconds_bucket{service="comet",le="0.2"} 108.0
                goim_comet_push_room_wait_seconds_bucket{service="comet",le="0.4"} 110.0
                goim_comet_push_room_wait_seconds_bucket{service="comet",le="+Inf"} 110.0
                goim_comet_push_room_wait_seconds_count{service="comet"} 110.0
                goim_comet_push_room_wait_seconds_sum{service="comet"} 12.5
                """;
        Map<String, Double> d = Window.delta(Admin.parse(before, false), Admin.parse(after, false));
        assertEquals(List.of("goim_comet_push_room_wait{service=\"comet\"}: 100 in the window, mean 120.0 ms, p50 ≤ 100.0 ms, p99 ≤ 400.0 ms"),
                Histograms.summaries(d), "the window's 100 waits: half in the first bucket, 98 by the second, all by the third");
        assertTrue(d.keySet().stream().allMatch(Histograms::part), "the samples are printed only as the summary: " + d);
    }
}
