package io.goim.comet;

import com.google.protobuf.ByteString;
import io.goim.protocol.Op;
import io.goim.protocol.Packets;
import io.goim.proto.Proto;
import java.util.OptionalInt;

/**
 * Which operations a push call may make comet send: only pushes ({@link Op#isPush}), alone
 * or as the packets of an OP_RAW batch. Control operations (handshake, heartbeat, auth,
 * disconnect and their replies) are comet's own protocol: a caller of the push service that
 * could send op 6 would disconnect any client, op 8 would fake a login.
 */
final class PushOps {
    private PushOps() {
    }

    /**
     * The first operation of {@code p} that is not a push, or empty when every one is. An OP_RAW
     * batch is walked packet by packet; a batch whose framing is broken is left to the
     * encoder, which refuses it as malformed.
     */
    static OptionalInt firstControlOp(Proto p) {
        if (p.getOp() != Op.RAW) {
            return Op.isPush(p.getOp()) ? OptionalInt.empty() : OptionalInt.of(p.getOp());
        }
        ByteString body = p.getBody();
        int size = body.size();
        int at = 0;
        while (at + Packets.HEADER_LENGTH <= size) {
            int length = intAt(body, at);
            if (length < Packets.HEADER_LENGTH) {
                return OptionalInt.empty(); // malformed: the encoder says so
            }
            int op = intAt(body, at + 8); // packet length 4, header length 2, version 2, then op
            if (!Op.isPush(op)) {
                return OptionalInt.of(op);
            }
            at += length;
        }
        return OptionalInt.empty();
    }

    private static int intAt(ByteString b, int at) {
        return (b.byteAt(at) & 0xff) << 24 | (b.byteAt(at + 1) & 0xff) << 16 | (b.byteAt(at + 2) & 0xff) << 8
                | (b.byteAt(at + 3) & 0xff);
    }
}
