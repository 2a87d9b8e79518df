package io.goim.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.goim.libs.config.ConfigLoader;
import io.goim.protocol.Op;
import io.goim.protocol.Packet;
import io.goim.protocol.PacketCodec;
import io.goim.protocol.Packets;
import io.goim.proto.BroadcastRoomReq;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoomPushDriverTest {
    private static PushConfig config(int batch) {
        return PushConfig.from(ConfigLoader.withDefaults(ConfigFactory.parseMap(Map.of(
                "bench.push.batch", batch, "bench.push.body-bytes", 20, "bench.push.room", 7))));
    }

    @Test
    void aBatchIsAnOpRawWhoseBodyIsThatManyCompletePushPackets() {
        BroadcastRoomReq req = RoomPushDriver.request(config(3));
        assertEquals("7", req.getRoomKey());
        assertEquals(Op.RAW, req.getProto().getOp());
        EmbeddedChannel ch = new EmbeddedChannel(new PacketCodec(Packets.DEFAULT_MAX_BODY));
        ch.writeInbound(Unpooled.wrappedBuffer(req.getProto().getBody().toByteArray()));
        for (int i = 0; i < 3; i++) {
            Packet p = ch.readInbound();
            assertEquals(Op.SEND_MSG_REPLY, p.op());
            assertEquals(20, p.body().readableBytes());
            p.release();
        }
        assertNull(ch.readInbound());
    }

    @Test
    void aBatchOfOneIsAPlainPush() {
        BroadcastRoomReq req = RoomPushDriver.request(config(1));
        assertEquals(Op.SEND_MSG_REPLY, req.getProto().getOp());
        assertEquals(20, req.getProto().getBody().size());
    }
}
