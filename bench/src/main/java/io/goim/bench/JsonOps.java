package io.goim.bench;

import io.goim.protocol.Op;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;

/**
 * Counts the packets in one goim WebSocket server frame, a JSON array of
 * {@code {"ver":..,"op":..,"seq":..,"body":..}} objects, by finding each {@code "op":}
 * key and reading the number after it, without parsing the JSON. For each push (op 5)
 * whose {@code "body"} is a {@link SendStamp} object, the send time is handed to a
 * callback, and, if a second callback is given, the stamp's sequence to that one. A body containing the text {@code "op":} inside a string would be miscounted;
 * the load tool's pushes never do. Not a reader of the envelope (that is the protocol
 * module's {@code WsJson}, which builds a JSON tree and packets per frame): a load
 * connection must cost far less CPU per push than the comet it measures, whose cost per
 * connection is one shared-buffer write. Immutable result; {@link #count} is stateless and
 * thread-safe.
 */
public record JsonOps(int pushes, int authReplies, int heartbeatReplies) {
    private static final byte[] KEY = "\"op\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BODY = "\"body\":".getBytes(StandardCharsets.US_ASCII);

    static JsonOps count(ByteBuf json) {
        return count(json, null);
    }

    /** The op of the first packet in {@code json} (a client frame is one object), or -1. */
    public static int firstOp(ByteBuf json) {
        int at = indexOf(json, KEY, json.readerIndex(), json.writerIndex());
        if (at < 0) {
            return -1;
        }
        int p = at + KEY.length;
        while (p < json.writerIndex() && json.getByte(p) == ' ') {
            p++;
        }
        int op = 0;
        int digits = 0;
        while (p < json.writerIndex() && json.getByte(p) >= '0' && json.getByte(p) <= '9') {
            op = op * 10 + json.getByte(p++) - '0';
            digits++;
        }
        return digits == 0 ? -1 : op;
    }

    /** Counts the packets; {@code sendMicros} (may be null) receives the send time of each stamped push. */
    static JsonOps count(ByteBuf json, LongConsumer sendMicros) {
        return count(json, sendMicros, null);
    }

    /**
     * As {@link #count(ByteBuf, LongConsumer)}; {@code seqs} (may be null; only read when
     * {@code sendMicros} is given) also receives the sequence of each stamped push that has one.
     */
    static JsonOps count(ByteBuf json, LongConsumer sendMicros, LongConsumer seqs) {
        int pushes = 0;
        int auth = 0;
        int heartbeat = 0;
        int end = json.writerIndex();
        int i = json.readerIndex();
        while (true) {
            int at = indexOf(json, KEY, i, end);
            if (at < 0) {
                break;
            }
            int p = at + KEY.length;
            while (p < end && json.getByte(p) == ' ') {
                p++;
            }
            int op = 0;
            int digits = 0;
            while (p < end && json.getByte(p) >= '0' && json.getByte(p) <= '9') {
                op = op * 10 + json.getByte(p) - '0';
                p++;
                digits++;
            }
            if (digits > 0) {
                if (op == Op.SEND_MSG_REPLY) {
                    pushes++;
                    if (sendMicros != null) {
                        p = stamp(json, p, end, sendMicros, seqs);
                    }
                } else if (op == Op.AUTH_REPLY) {
                    auth++;
                } else if (op == Op.HEARTBEAT_REPLY) {
                    heartbeat++;
                }
            }
            i = p;
        }
        return new JsonOps(pushes, auth, heartbeat);
    }

    /** Reads the stamp of the push whose {@code "op"} ended at {@code p}; returns where to go on scanning. */
    private static int stamp(ByteBuf json, int p, int end, LongConsumer sendMicros, LongConsumer seqs) {
        int body = indexOf(json, BODY, p, end);
        int next = indexOf(json, KEY, p, end);
        if (body < 0 || (next >= 0 && next < body)) {
            return p;
        }
        int from = body + BODY.length;
        long sent = SendStamp.read(json, from, Math.min(end, from + SendStamp.PREFIX_AND_DIGITS));
        if (sent > 0) {
            sendMicros.accept(sent);
            if (seqs != null) {
                long seq = SendStamp.seq(json, from, Math.min(end, from + SendStamp.WITH_SEQ));
                if (seq >= 0) {
                    seqs.accept(seq);
                }
            }
        }
        return from;
    }

    private static int indexOf(ByteBuf buf, byte[] key, int from, int end) {
        outer:
        for (int i = from; i <= end - key.length; i++) {
            for (int k = 0; k < key.length; k++) {
                if (buf.getByte(i + k) != key[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
