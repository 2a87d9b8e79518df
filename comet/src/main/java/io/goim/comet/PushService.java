package io.goim.comet;

import io.goim.libs.protocol.Op;
import io.goim.libs.protocol.Packets;
import io.goim.proto.BroadcastReply;
import io.goim.proto.BroadcastReq;
import io.goim.proto.BroadcastRoomReply;
import io.goim.proto.BroadcastRoomReq;
import io.goim.proto.CometGrpc;
import io.goim.proto.Empty;
import io.goim.proto.MPushMsgReply;
import io.goim.proto.MPushMsgReq;
import io.goim.proto.MPushMsgsReply;
import io.goim.proto.MPushMsgsReq;
import io.goim.proto.Proto;
import io.goim.proto.PushMsgReply;
import io.goim.proto.PushMsgReq;
import io.goim.proto.RoomsReply;
import io.goim.proto.RoomsReq;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The push service job calls. Each message is encoded once into a buffer and every
 * target channel writes a retained duplicate of it; the RPC thread only queues writes
 * and never waits on a socket. An OP_RAW batch is written as its body, the packets
 * themselves.
 */
final class PushService extends CometGrpc.CometImplBase {
    private final CometContext comet;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;

    PushService(CometContext comet) {
        this.comet = comet;
    }

    @Override
    public void ping(Empty request, StreamObserver<Empty> out) {
        out.onNext(Empty.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void pushMsg(PushMsgReq req, StreamObserver<PushMsgReply> out) {
        ByteBuf encoded = encode(req.getProto());
        try {
            boolean delivered = write(comet.buckets().get(req.getKey()), encoded);
            out.onNext(PushMsgReply.newBuilder().setDelivered(delivered).build());
        } finally {
            encoded.release();
        }
        out.onCompleted();
    }

    @Override
    public void mPushMsg(MPushMsgReq req, StreamObserver<MPushMsgReply> out) {
        ByteBuf encoded = encode(req.getProto());
        int last = -1;
        int delivered = 0;
        try {
            for (int i = 0; i < req.getKeysCount(); i++) {
                if (write(comet.buckets().get(req.getKeys(i)), encoded)) {
                    last = i;
                    delivered++;
                }
            }
        } finally {
            encoded.release();
        }
        out.onNext(MPushMsgReply.newBuilder().setIndex(last).setDelivered(delivered).build());
        out.onCompleted();
    }

    @Override
    public void mPushMsgs(MPushMsgsReq req, StreamObserver<MPushMsgsReply> out) {
        int last = -1;
        int delivered = 0;
        for (int i = 0; i < req.getPushesCount(); i++) {
            PushMsgReq p = req.getPushes(i);
            ByteBuf encoded = encode(p.getProto());
            try {
                if (write(comet.buckets().get(p.getKey()), encoded)) {
                    last = i;
                    delivered++;
                }
            } finally {
                encoded.release();
            }
        }
        out.onNext(MPushMsgsReply.newBuilder().setIndex(last).setDelivered(delivered).build());
        out.onCompleted();
    }

    @Override
    public void broadcast(BroadcastReq req, StreamObserver<BroadcastReply> out) {
        ByteBuf encoded = encode(req.getProto());
        AtomicInteger delivered = new AtomicInteger();
        try {
            comet.buckets().forEach(ch -> {
                if (write(ch, encoded)) {
                    delivered.incrementAndGet();
                }
            });
        } finally {
            encoded.release();
        }
        out.onNext(BroadcastReply.newBuilder().setDelivered(delivered.get()).build());
        out.onCompleted();
    }

    @Override
    public void broadcastRoom(BroadcastRoomReq req, StreamObserver<BroadcastRoomReply> out) {
        ByteBuf encoded = encode(req.getProto());
        try {
            comet.buckets().forEach(ch -> {
                ClientSession s = ClientSession.of(ch);
                if (s != null && s.roomId() == req.getRoomId()) {
                    write(ch, encoded);
                }
            });
        } finally {
            encoded.release();
        }
        out.onNext(BroadcastRoomReply.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void rooms(RoomsReq req, StreamObserver<RoomsReply> out) {
        java.util.Set<Integer> rooms = new java.util.TreeSet<>();
        comet.buckets().forEach(ch -> {
            ClientSession s = ClientSession.of(ch);
            if (s != null && s.roomId() >= 0) {
                rooms.add(s.roomId());
            }
        });
        out.onNext(RoomsReply.newBuilder().addAllRoomIds(rooms).build());
        out.onCompleted();
    }

    /** The bytes TCP clients receive for {@code p}: one packet, or for OP_RAW the batch itself. */
    private ByteBuf encode(Proto p) {
        if (p.getOp() == Op.RAW) {
            ByteBuf out = alloc.buffer(p.getBody().size());
            out.writeBytes(p.getBody().asReadOnlyByteBuffer());
            return out;
        }
        ByteBuf out = alloc.buffer(Packets.HEADER_LENGTH + p.getBody().size());
        Packets.writeHeader(out, p.getVer(), p.getOp(), p.getSeq(), p.getBody().size());
        out.writeBytes(p.getBody().asReadOnlyByteBuffer());
        return out;
    }

    /** Queues {@code encoded} on {@code ch}; false when there is no such channel or it is too far behind. */
    private boolean write(Channel ch, ByteBuf encoded) {
        if (ch == null || !ch.isActive()) {
            return false;
        }
        if (!ch.isWritable()) {
            comet.counters().pushesDropped.increment();
            return false;
        }
        ch.writeAndFlush(encoded.retainedDuplicate(), ch.voidPromise());
        comet.counters().pushesQueued.increment();
        return true;
    }
}
