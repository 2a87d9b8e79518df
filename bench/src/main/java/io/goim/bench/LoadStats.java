package io.goim.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one load-client process. Thread-safe: event loops increment, the report
 * thread reads. {@link #write} renders them as {@code key=value} lines, the format the
 * wrapper script and {@link RoomPushDriver} sum over several processes.
 */
final class LoadStats {
    /** Connections whose TCP connect succeeded. */
    final LongAdder connected = new LongAdder();
    /** Connect attempts that failed (refused, no port, ...). */
    final LongAdder connectFailed = new LongAdder();
    /** Connections that got their auth reply (op 8). */
    final LongAdder authed = new LongAdder();
    /** Attempts closed, or timed out, before an auth reply. */
    final LongAdder authFailed = new LongAdder();
    /** New attempts after a failed connect or auth. */
    final LongAdder retries = new LongAdder();
    /** Connections given up after their last failed attempt. */
    final LongAdder gaveUp = new LongAdder();
    /** Authenticated connections the server closed while the run was still going. */
    final LongAdder dropped = new LongAdder();
    /** Connections open right now. */
    final LongAdder open = new LongAdder();
    /** Pushes received: op 5 packets, each packet of a batch counted. */
    final LongAdder pushes = new LongAdder();
    /** Heartbeat replies (op 3) received. */
    final LongAdder heartbeatReplies = new LongAdder();
    /** Connections closed because the server sent bytes that are not goim packets. */
    final LongAdder protocolErrors = new LongAdder();
    /** Send → receive time of every push whose body carries a {@link SendStamp}, µs. */
    final Latencies latency = new Latencies();
    /** Connection start (connect) → auth reply (op 8) of every successful attempt, µs. */
    final Latencies login = new Latencies();
    /** Sequence and receive time of every stamped push; null (nothing kept) unless asked for. */
    final Receipts receipts;

    LoadStats() {
        this(false);
    }

    /** @param logReceipts keep a {@link Receipts} log ({@code bench.load.log-receipts}) */
    LoadStats(boolean logReceipts) {
        this.receipts = logReceipts ? new Receipts() : null;
    }

    Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("open", open.sum());
        m.put("connected", connected.sum());
        m.put("connectFailed", connectFailed.sum());
        m.put("authed", authed.sum());
        m.put("authFailed", authFailed.sum());
        m.put("retries", retries.sum());
        m.put("gaveUp", gaveUp.sum());
        m.put("dropped", dropped.sum());
        m.put("pushes", pushes.sum());
        m.put("heartbeatReplies", heartbeatReplies.sum());
        m.put("protocolErrors", protocolErrors.sum());
        org.HdrHistogram.Histogram logins = login.snapshot();
        m.put("loginP50Ms", logins.getValueAtPercentile(50) / 1_000);
        m.put("loginP99Ms", logins.getValueAtPercentile(99) / 1_000);
        m.put("loginMaxMs", logins.getMaxValue() / 1_000);
        if (receipts != null) {
            m.put("receiptsLost", receipts.lost.sum());
        }
        return m;
    }

    /**
     * Atomically replaces {@code file} with the current counters, after first appending
     * the new receipts (if kept) to its {@link #receiptsFile} and replacing its
     * {@link #histogramFile} with the histograms, so that a reader who sees the counters
     * also sees receipts and histograms at least as new.
     */
    void write(Path file) throws IOException {
        if (receipts != null) {
            receipts.appendTo(receiptsFile(file));
        }
        replace(histogramFile(file), "latency=" + Latencies.encode(latency.snapshot()) + "\n"
                + "login=" + Latencies.encode(login.snapshot()) + "\n");
        StringBuilder b = new StringBuilder();
        snapshot().forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        replace(file, b);
    }

    /** Where the histograms of stats file {@code statsFile} go: {@code load-0.stats} → {@code load-0.hist}. */
    static Path histogramFile(Path statsFile) {
        return sibling(statsFile, ".hist");
    }

    /** Where the receipts of stats file {@code statsFile} go: {@code load-0.stats} → {@code load-0.receipts}. */
    static Path receiptsFile(Path statsFile) {
        return sibling(statsFile, ".receipts");
    }

    private static Path sibling(Path statsFile, String extension) {
        String name = statsFile.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return statsFile.resolveSibling((dot < 0 ? name : name.substring(0, dot)) + extension);
    }

    private static void replace(Path file, CharSequence text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
