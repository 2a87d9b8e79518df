package io.goim.comet.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.goim.protocol.Op;
import io.goim.protocol.Packets;
import io.goim.proto.Proto;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Every goim operation but the push is refused, alone or inside an OP_RAW batch. */
class PushOpsTest {
    @Test
    void onlyPushesPassAloneOrBatched() {
        assertEquals(OptionalInt.empty(), PushOps.firstControlOp(single(Op.SEND_MSG_REPLY)));
        for (int op : new int[] {Op.HANDSHAKE, Op.HANDSHAKE_REPLY, Op.HEARTBEAT, Op.HEARTBEAT_REPLY, Op.SEND_MSG,
                Op.DISCONNECT_REPLY, Op.AUTH, Op.AUTH_REPLY, Op.HANDSHAKE_SID, Op.HANDSHAKE_SID_REPLY, Op.CHANGE_ROOM,
                Op.CHANGE_ROOM_REPLY, Op.SUB, Op.SUB_REPLY, Op.UNSUB, Op.UNSUB_REPLY, Op.JOIN_ROOM, Op.JOIN_ROOM_REPLY,
                Op.LEAVE_ROOM, Op.LEAVE_ROOM_REPLY, Op.TEST, Op.TEST_REPLY, -1, 999}) {
            assertEquals(OptionalInt.of(op), PushOps.firstControlOp(single(op)), "op " + op);
            assertEquals(OptionalInt.of(op), PushOps.firstControlOp(batch(Op.SEND_MSG_REPLY, op, Op.SEND_MSG_REPLY)),
                    "op " + op + " inside a batch");
        }
        assertEquals(OptionalInt.empty(), PushOps.firstControlOp(batch(Op.SEND_MSG_REPLY, Op.SEND_MSG_REPLY)));
        assertEquals(OptionalInt.of(Op.RAW), PushOps.firstControlOp(batch(Op.RAW)), "no batch inside a batch");
    }

    private static Proto single(int op) {
        return Proto.newBuilder().setOp(op).setBody(ByteString.copyFromUtf8("{}")).build();
    }

    private static Proto batch(int... ops) {
        ByteBuf out = Unpooled.buffer();
        try {
            for (int op : ops) {
                Packets.write(out, 0, op, 0, new byte[] {'{', '}'});
            }
            return Proto.newBuilder().setOp(Op.RAW).setBody(ByteString.copyFrom(ByteBufUtil.getBytes(out))).build();
        } finally {
            out.release();
        }
    }
}
