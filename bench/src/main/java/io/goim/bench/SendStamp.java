package io.goim.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The body every benchmark message carries, {@code {"t":<send time, epoch µs>,"n":<sequence>}},
 * and reading its send time (and, when asked, its sequence) back without parsing JSON or
 * allocating: the body must start with {@code {"t":} followed by the digits, then
 * {@code ,"n":} and the sequence's digits. Stateless and thread-safe.
 */
public final class SendStamp {
    private static final byte[] PREFIX = "{\"t\":".getBytes(StandardCharsets.US_ASCII);
    /** Body bytes that hold the prefix and any epoch-µs value until the year 2286. */
    static final int PREFIX_AND_DIGITS = PREFIX.length + 16;
    private static final byte[] SEQ = ",\"n\":".getBytes(StandardCharsets.US_ASCII);
    /**
     * Body bytes that hold the stamp, the sequence key, any sequence (a long has at most 19
     * digits) and the byte that ends it: what must be read to find the sequence.
     */
    static final int WITH_SEQ = PREFIX_AND_DIGITS + SEQ.length + 20;

    private SendStamp() {
    }

    /** The body of message {@code seq} sent at {@code sendMicros}. */
    public static String body(long sendMicros, long seq) {
        return "{\"t\":" + sendMicros + ",\"n\":" + seq + "}";
    }

    /** The send time at {@code bytes[from..end)}, or -1 if those bytes do not start with a stamp. */
    static long read(byte[] bytes, int from, int end) {
        if (end - from <= PREFIX.length) {
            return -1;
        }
        for (int k = 0; k < PREFIX.length; k++) {
            if (bytes[from + k] != PREFIX[k]) {
                return -1;
            }
        }
        return digits(bytes, from + PREFIX.length, end);
    }

    /**
     * The sequence of the stamp at {@code bytes[from..end)}, or -1 if those bytes do not hold
     * a stamp followed by {@code ,"n":}, digits and a byte that ends them (so a sequence cut
     * short by {@code end} is never taken for a smaller one).
     */
    static long seq(byte[] bytes, int from, int end) {
        if (read(bytes, from, end) < 0) {
            return -1;
        }
        int p = from + PREFIX.length;
        while (p < end && bytes[p] >= '0' && bytes[p] <= '9') {
            p++;
        }
        if (end - p <= SEQ.length) {
            return -1;
        }
        for (int k = 0; k < SEQ.length; k++) {
            if (bytes[p + k] != SEQ[k]) {
                return -1;
            }
        }
        p += SEQ.length;
        long v = 0;
        int n = 0;
        for (; p < end; p++, n++) {
            byte b = bytes[p];
            if (b < '0' || b > '9') {
                return n == 0 || n > 18 ? -1 : v;
            }
            v = v * 10 + (b - '0');
        }
        return -1;
    }

    /** The same over a buffer's absolute indexes. */
    static long seq(ByteBuf buf, int from, int end) {
        if (read(buf, from, end) < 0) {
            return -1;
        }
        int p = from + PREFIX.length;
        while (p < end && buf.getByte(p) >= '0' && buf.getByte(p) <= '9') {
            p++;
        }
        if (end - p <= SEQ.length) {
            return -1;
        }
        for (int k = 0; k < SEQ.length; k++) {
            if (buf.getByte(p + k) != SEQ[k]) {
                return -1;
            }
        }
        p += SEQ.length;
        long v = 0;
        int n = 0;
        for (; p < end; p++, n++) {
            byte b = buf.getByte(p);
            if (b < '0' || b > '9') {
                return n == 0 || n > 18 ? -1 : v;
            }
            v = v * 10 + (b - '0');
        }
        return -1;
    }

    /** The same as {@link #read(byte[], int, int)} over a buffer's absolute indexes. */
    static long read(ByteBuf buf, int from, int end) {
        if (end - from <= PREFIX.length) {
            return -1;
        }
        for (int k = 0; k < PREFIX.length; k++) {
            if (buf.getByte(from + k) != PREFIX[k]) {
                return -1;
            }
        }
        long v = 0;
        int n = 0;
        for (int i = from + PREFIX.length; i < end && n < 18; i++, n++) {
            byte b = buf.getByte(i);
            if (b < '0' || b > '9') {
                break;
            }
            v = v * 10 + (b - '0');
        }
        return n == 0 ? -1 : v;
    }

    private static long digits(byte[] bytes, int from, int end) {
        long v = 0;
        int n = 0;
        for (int i = from; i < end && n < 18; i++, n++) {
            byte b = bytes[i];
            if (b < '0' || b > '9') {
                break;
            }
            v = v * 10 + (b - '0');
        }
        return n == 0 ? -1 : v;
    }
}
