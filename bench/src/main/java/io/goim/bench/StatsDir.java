package io.goim.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Sums one counter over the {@code *.stats} files load clients write (see
 * {@link LoadStats#write}), or one histogram over their {@code *.hist} files, or reads their
 * {@code *.receipts} logs. Stateless and thread-safe.
 */
public final class StatsDir {
    /** Takes one receipt: a push's sequence and its receive time (epoch µs). */
    public interface ReceiptSink {
        void accept(long seq, long receivedMicros);
    }

    private StatsDir() {
    }

    /**
     * Hands every receipt of every {@code *.receipts} file in {@code dir} to {@code sink}
     * (written when clients run with {@code bench.load.log-receipts}); returns how many.
     * A last line still being appended (no newline yet) is left for the next reading.
     */
    public static long receipts(Path dir, ReceiptSink sink) throws IOException {
        long n = 0;
        for (Path f : files(dir, ".receipts")) {
            String text = Files.readString(f, java.nio.charset.StandardCharsets.US_ASCII);
            int from = 0;
            for (int nl = text.indexOf('\n'); nl >= 0; from = nl + 1, nl = text.indexOf('\n', from)) {
                int sp = text.indexOf(' ', from);
                if (sp < 0 || sp > nl) {
                    throw new IOException(f + ": not a receipt line: " + text.substring(from, nl));
                }
                sink.accept(Long.parseLong(text, from, sp, 10), Long.parseLong(text, sp + 1, nl, 10));
                n++;
            }
        }
        return n;
    }

    private static List<Path> files(Path dir, String extension) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(extension)).toList();
        }
    }

    /** The sum of counter {@code key} over every stats file in {@code dir}; 0 if there is none. */
    public static long sum(Path dir, String key) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".stats")).toList();
        }
        long total = 0;
        String prefix = key + "=";
        for (Path f : files) {
            for (String line : Files.readAllLines(f)) {
                if (line.startsWith(prefix)) {
                    total += Long.parseLong(line.substring(prefix.length()).trim());
                }
            }
        }
        return total;
    }

    /** The sum of histogram {@code key} ({@code latency} or {@code login}) over every histogram file in {@code dir}. */
    public static Histogram histogram(Path dir, String key) throws IOException {
        Histogram total = Latencies.newHistogram();
        if (!Files.isDirectory(dir)) {
            return total;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".hist")).toList();
        }
        String prefix = key + "=";
        for (Path f : files) {
            for (String line : Files.readAllLines(f)) {
                if (line.startsWith(prefix)) {
                    total.add(Latencies.decode(line.substring(prefix.length())));
                }
            }
        }
        return total;
    }
}
