package io.goim.comet.push;

import io.goim.protocol.Op;
import io.goim.protocol.PacketBatch;
import io.goim.protocol.Packets;
import io.goim.proto.Proto;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
        // A view of the body's bytes (a parsed message's body is one array: no copy), walked
        // packet by packet; the walk ends at the first packet that is not whole.
        ByteBuf batch = Unpooled.wrappedBuffer(p.getBody().asReadOnlyByteBuffer());
        try {
            for (int at = 0; at >= 0 && at + Packets.HEADER_LENGTH <= batch.writerIndex(); at = PacketBatch.next(batch, at)) {
                if (Packets.lengthAt(batch, at) < Packets.HEADER_LENGTH) {
                    return OptionalInt.empty(); // malformed: the encoder says so
                }
                int op = Packets.opAt(batch, at);
                if (!Op.isPush(op)) {
                    return OptionalInt.of(op);
                }
            }
            return OptionalInt.empty();
        } finally {
            batch.release();
        }
    }
}
