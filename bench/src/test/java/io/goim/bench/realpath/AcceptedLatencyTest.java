package io.goim.bench.realpath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The join of accepted pushes with the clients' receipts, and the verdict it feeds. */
class AcceptedLatencyTest {
    private static final long T0 = 1_700_000_000_000_000L;

    /** 200 accepted pushes, seq 1000..1199, answered at T0 + seq ms. */
    private static Map<Long, Long> accepted() {
        Map<Long, Long> m = new HashMap<>();
        for (long seq = 1000; seq < 1200; seq++) {
            m.put(seq, T0 + seq * 1000);
        }
        return m;
    }

    private static HttpPusher.Outcome outcome(Map<Long, Long> acceptedAt) {
        return new HttpPusher.Outcome(acceptedAt.size(), acceptedAt.size(), 0, 0, 0, null, "", acceptedAt);
    }

    @Test
    void earlyArrivalsCountAsZeroAndOtherPushesAreLeftOut() {
        AcceptedLatency j = new AcceptedLatency(accepted(), 1);
        for (long seq = 1000; seq < 1200; seq++) {
            // Every 20th arrives 3 ms before its answer; the others 5 ms after it.
            j.accept(seq, T0 + seq * 1000 + (seq % 20 == 0 ? -3000 : 5000));
        }
        j.accept(999, T0); // warm-up push
        j.accept(5000, T0); // never accepted (refused, timed out)
        j.accept(1001, T0 + 1_001_000 + 40_000); // a second copy: not timed, counted
        AcceptedLatency.Result r = j.result();
        assertEquals(200, r.accepted());
        assertEquals(200, r.expected());
        assertEquals(200, r.joined());
        assertEquals(10, r.early());
        assertEquals(0, r.missing());
        assertEquals(1, r.extra());
        assertEquals(0, r.latency().getMinValue());
        assertEquals(10, r.latency().getCountAtValue(0));
        assertEquals(5.0, r.millisCountingMissing(50), 0.05);
        assertEquals(5.0, r.latency().getMaxValue() / 1000.0, 0.05, "the duplicate's 40 ms is not in the histogram");
    }

    @Test
    void missingReceiptsAreCountedAndRankedAboveEveryDelivery() {
        AcceptedLatency j = new AcceptedLatency(accepted(), 1);
        // 197 of 200 arrive, 1 ms after their answer; 3 never do.
        for (long seq = 1000; seq < 1197; seq++) {
            j.accept(seq, T0 + seq * 1000 + 1000);
        }
        AcceptedLatency.Result r = j.result();
        assertEquals(197, r.joined());
        assertEquals(3, r.missing());
        // The histogram of what arrived looks perfect; counting the missing 1.5 % it is not.
        assertEquals(1.0, r.latency().getValueAtPercentile(99) / 1000.0, 0.02);
        assertEquals(Double.POSITIVE_INFINITY, r.millisCountingMissing(99));
        assertEquals(1.0, r.millisCountingMissing(98), 0.02);
        // The p99 target is judged on that figure, not on the histogram.
        Window.Result w = new Window.Result("x", 100, 1, outcome(accepted()), 197, r.latency(), 1, 0, 1, Map.of(), Map.of(), 45, 20, 1, Map.of(), r);
        String v = String.join("\n", Report.verdicts(new Scenario.Targets(true, 20, Double.NaN, Double.NaN, -1, Double.NaN, Double.NaN, Double.NaN),
                w, null));
        assertTrue(v.contains("every accepted delivery arrives: 197 of 200 → MISSED"), v);
        assertTrue(v.contains("p99 (accepted → client) ≤ 20.00 ms: beyond every delivery (3 never received)"), v);
        assertTrue(v.contains("→ MISSED"), v);
        String lines = String.join("\n", Report.window(w));
        assertTrue(lines.contains("latency (accepted (HTTP answer) → client): p50 1.00"), lines);
        assertTrue(lines.contains("197 of 200 expected deliveries of 200 accepted pushes; 3 never received"), lines);
    }

    @Test
    void thePercentileCountingMissingMatchesTheHistogramWhenNoneIsMissing() {
        AcceptedLatency j = new AcceptedLatency(accepted(), 1);
        for (long seq = 1000; seq < 1200; seq++) {
            // 1..200 ms after the answer.
            j.accept(seq, T0 + seq * 1000 + (seq - 999) * 1000);
        }
        AcceptedLatency.Result r = j.result();
        assertEquals(198.0, r.millisCountingMissing(99), 2.0);
        assertEquals(r.latency().getValueAtPercentile(99) / 1000.0, r.millisCountingMissing(99), 1e-9);
        Window.Result w = new Window.Result("x", 100, 1, outcome(accepted()), 200, r.latency(), 1, 0, 1, Map.of(), Map.of(), 45, 20, 1, Map.of(), r);
        String v = String.join("\n", Report.verdicts(new Scenario.Targets(true, 20, Double.NaN, Double.NaN, -1, Double.NaN, Double.NaN, Double.NaN),
                w, null));
        assertTrue(v.matches("(?s).*p99 \\(accepted → client\\) ≤ 20.00 ms: 19[6-9] ms; send → client .* → MISSED.*"), v);
    }

    @Test
    void receiptsAreReadFromTheClientsStatsDirectory(@TempDir Path dir) throws Exception {
        Map<Long, Long> acc = Map.of(1L, T0, 2L, T0 + 1000, 3L, T0 + 2000);
        Files.writeString(dir.resolve("load-0.receipts"), "1 " + (T0 + 4000) + "\n");
        Files.writeString(dir.resolve("load-1.receipts"), "2 " + (T0 + 500) + "\n7 " + T0 + "\n");
        AcceptedLatency.Result r = AcceptedLatency.of(outcome(acc), 1, dir);
        // Seq 1 4 ms after its answer, seq 2 0.5 ms before it (early), seq 3 never, seq 7 not accepted.
        assertEquals(List.of(3L, 2L, 1L, 1L), List.of(r.accepted(), r.joined(), r.early(), r.missing()));
        assertEquals(4.0, r.latency().getMaxValue() / 1000.0, 0.05);
    }
}
