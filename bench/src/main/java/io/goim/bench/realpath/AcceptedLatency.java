package io.goim.bench.realpath;

import io.goim.bench.Latencies;
import io.goim.bench.StatsDir;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Delivery timed from "accepted" (the moment logic's {@code {"ret":1}} answer arrived at the
 * pusher) rather than from "sent": joins the window's accepted pushes
 * ({@link HttpPusher.Outcome#acceptedAtMicros}) with the clients' receipts (sequence and
 * receive time, {@code bench.load.log-receipts}) by sequence. Receipts of pushes outside
 * the window (warm-up, probe) or never accepted are left out. logic answers only once Kafka
 * acknowledged, and job may deliver before that acknowledgement reaches logic: a message
 * that arrived before its answer counts as 0 and is counted as early. An accepted push
 * some of whose deliveries never arrived is counted as missing, and
 * {@link Result#millisCountingMissing} ranks it above every delivery, so missing receipts
 * cannot make a percentile look better. One join per instance; not thread-safe.
 */
final class AcceptedLatency implements StatsDir.ReceiptSink {
    /**
     * @param latency  accepted → receive of each joined receipt, µs (early ones as 0)
     * @param accepted accepted pushes in the window
     * @param expected deliveries they should make (accepted × per message)
     * @param joined   receipts of those pushes (at most {@code perMessage} per push; extra copies not timed)
     * @param early    joined receipts that arrived before their push's answer
     * @param missing  deliveries of accepted pushes with no receipt ({@code expected − joined})
     * @param extra    receipts beyond {@code perMessage} for one push (duplicates), not timed
     */
    record Result(Histogram latency, long accepted, long expected, long joined, long early, long missing, long extra) {
        /**
         * The {@code percentile} in ms over every expected delivery, a missing one ranked
         * above any that arrived: +∞ when the missing ones reach that rank; NaN when nothing was expected.
         */
        double millisCountingMissing(double percentile) {
            long n = joined + missing;
            if (n == 0) {
                return Double.NaN;
            }
            long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * n));
            if (rank > joined) {
                return Double.POSITIVE_INFINITY;
            }
            return latency.getValueAtPercentile(Math.min(100.0, 100.0 * rank / joined)) / 1000.0;
        }
    }

    private final Map<Long, Long> acceptedAt;
    private final long perMessage;
    private final Map<Long, Integer> seen = new HashMap<>();
    private final Histogram latency = Latencies.newHistogram();
    private long early;
    private long extra;

    AcceptedLatency(Map<Long, Long> acceptedAtMicros, long perMessage) {
        this.acceptedAt = acceptedAtMicros;
        this.perMessage = perMessage;
    }

    /** Joins the receipts of every client process whose stats are in {@code statsDir}. */
    static Result of(HttpPusher.Outcome pushed, long perMessage, Path statsDir) throws IOException {
        AcceptedLatency j = new AcceptedLatency(pushed.acceptedAtMicros(), perMessage);
        StatsDir.receipts(statsDir, j);
        return j.result();
    }

    @Override
    public void accept(long seq, long receivedMicros) {
        Long answered = acceptedAt.get(seq);
        if (answered == null) {
            return;
        }
        int count = seen.merge(seq, 1, Integer::sum);
        if (count > perMessage) {
            extra++;
            return;
        }
        long micros = receivedMicros - answered;
        if (micros < 0) {
            early++;
            micros = 0;
        }
        latency.recordValue(Math.min(micros, latency.getHighestTrackableValue()));
    }

    Result result() {
        long expected = acceptedAt.size() * perMessage;
        long joined = latency.getTotalCount();
        return new Result(latency.copy(), acceptedAt.size(), expected, joined, early, expected - joined, extra);
    }
}
