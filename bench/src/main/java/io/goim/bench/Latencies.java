package io.goim.bench;

import io.netty.util.concurrent.FastThreadLocal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * A latency histogram in microseconds that event loops record into without contending:
 * each recording thread has its own {@link SingleWriterRecorder} (wait-free for its one
 * writer), and {@link #snapshot} folds their intervals into a cumulative histogram. Values
 * are clamped to [0, 1 h]; two significant digits (1 % resolution) keep every histogram a
 * few KB. Thread-safe.
 */
public final class Latencies {
    /** Highest value kept, in microseconds; larger ones count as this. */
    static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);
    private static final int DIGITS = 2;

    private final List<SingleWriterRecorder> recorders = new CopyOnWriteArrayList<>();
    private final FastThreadLocal<SingleWriterRecorder> mine = new FastThreadLocal<>() {
        @Override
        protected SingleWriterRecorder initialValue() {
            SingleWriterRecorder r = new SingleWriterRecorder(MAX_MICROS, DIGITS);
            recorders.add(r);
            return r;
        }
    };
    private final Histogram total = newHistogram();
    private SingleWriterRecorder recycle;

    /** An empty histogram with the range and precision used throughout the bench. */
    public static Histogram newHistogram() {
        return new Histogram(MAX_MICROS, DIGITS);
    }

    /** Wall-clock time in microseconds since the epoch; comparable across processes on one machine. */
    public static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** The recorder of the calling thread; fetch once per read, then {@link #record(SingleWriterRecorder, long)}. */
    SingleWriterRecorder recorder() {
        return mine.get();
    }

    static void record(SingleWriterRecorder r, long micros) {
        r.recordValue(Math.max(0, Math.min(MAX_MICROS, micros)));
    }

    /** Records one value from the calling thread. */
    public void record(long micros) {
        record(mine.get(), micros);
    }

    /** Everything recorded so far, from every thread. */
    public synchronized Histogram snapshot() {
        for (SingleWriterRecorder r : recorders) {
            Histogram interval = r.getIntervalHistogram();
            total.add(interval);
        }
        return total.copy();
    }

    /** A histogram as one line of text (compressed, base64). */
    public static String encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(buf);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf.array(), n));
    }

    /** The inverse of {@link #encode}. */
    public static Histogram decode(String line) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(line.trim())), 0);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalArgumentException("not an encoded histogram: " + e.getMessage(), e);
        }
    }
}
