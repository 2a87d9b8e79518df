package io.goim.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The body every benchmark message carries, {@code {"t":<send time, epoch µs>,"n":<sequence>}},
 * and reading its send time back without parsing JSON or allocating: the body must start
 * with {@code {"t":} followed by the digits. Stateless and thread-safe.
 */
public final class SendStamp {
    private static final byte[] PREFIX = "{\"t\":".getBytes(StandardCharsets.US_ASCII);
    /** Body bytes that hold the prefix and any epoch-µs value until the year 2286. */
    static final int PREFIX_AND_DIGITS = PREFIX.length + 16;

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

    /** The same over a buffer's absolute indexes. */
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
