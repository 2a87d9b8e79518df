package io.goim.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * The receive log of one load-client process: the sequence ({@code "n"} of its
 * {@link SendStamp}) and receive time (epoch µs, {@link Latencies#nowMicros}) of every
 * stamped push, kept only when {@code bench.load.log-receipts} is on, so that a tool can
 * join them with the moment each push was accepted. Event loops {@link #add}; the stats
 * writer {@link #appendTo appends} what came since its last pass to a file, one
 * {@code <seq> <micros>} line per push. At most {@link #MAX_PENDING} wait between two
 * passes; more are counted as lost (the log is meant for light loads, not for fan-outs of
 * millions). Thread-safe.
 */
final class Receipts {
    static final int MAX_PENDING = 1 << 20;

    /** Pairs (seq, micros) laid end to end. */
    private long[] pending = new long[2 * 256];
    private int size;
    final LongAdder lost = new LongAdder();
    /** Serialises writers; not the lock event loops take, so that they never wait for the disk. */
    private final Object writer = new Object();

    synchronized void add(long seq, long micros) {
        if (size == pending.length) {
            if (size / 2 >= MAX_PENDING) {
                lost.increment();
                return;
            }
            pending = Arrays.copyOf(pending, Math.min(2 * MAX_PENDING, 2 * size));
        }
        pending[size++] = seq;
        pending[size++] = micros;
    }

    private synchronized long[] drain() {
        long[] out = Arrays.copyOf(pending, size);
        size = 0;
        return out;
    }

    /** Appends every receipt added since the last call to {@code file}; one writer at a time. */
    void appendTo(Path file) throws IOException {
        synchronized (writer) {
            long[] r = drain();
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
                for (int i = 0; i < r.length; i += 2) {
                    w.write(Long.toString(r[i]));
                    w.write(' ');
                    w.write(Long.toString(r[i + 1]));
                    w.write('\n');
                }
            }
        }
    }
}
