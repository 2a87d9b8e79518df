package io.goim.bench;

import io.goim.libs.protocol.Op;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Counts the packets in one goim WebSocket server frame, a JSON array of
 * {@code {"ver":..,"op":..,"seq":..,"body":..}} objects, by finding each {@code "op":}
 * key and reading the number after it, without parsing the JSON. A body containing the text
 * {@code "op":} inside a string would be miscounted; the load tool's pushes never do.
 * Immutable result; {@link #count} is stateless and thread-safe.
 */
record JsonOps(int pushes, int authReplies, int heartbeatReplies) {
    private static final byte[] KEY = "\"op\":".getBytes(StandardCharsets.US_ASCII);

    static JsonOps count(ByteBuf json) {
        int pushes = 0;
        int auth = 0;
        int heartbeat = 0;
        int end = json.writerIndex();
        int i = json.readerIndex();
        while (true) {
            int at = indexOf(json, i, end);
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

    private static int indexOf(ByteBuf buf, int from, int end) {
        outer:
        for (int i = from; i <= end - KEY.length; i++) {
            for (int k = 0; k < KEY.length; k++) {
                if (buf.getByte(i + k) != KEY[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
