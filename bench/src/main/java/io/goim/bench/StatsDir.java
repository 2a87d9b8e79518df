package io.goim.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Sums one counter over the {@code *.stats} files load clients write (see
 * {@link LoadStats#write}), or one histogram over their {@code *.hist} files. Stateless and
 * thread-safe.
 */
public final class StatsDir {
    private StatsDir() {
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
