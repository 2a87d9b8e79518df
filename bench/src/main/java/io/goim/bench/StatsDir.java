package io.goim.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Sums one counter over the {@code *.stats} files load clients write (see
 * {@link LoadStats#write}). Stateless and thread-safe.
 */
final class StatsDir {
    private StatsDir() {
    }

    static long sum(Path dir, String key) throws IOException {
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
}
