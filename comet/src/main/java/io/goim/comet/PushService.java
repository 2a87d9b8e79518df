package io.goim.comet;

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
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.netty.buffer.ByteBufAllocator;

/**
 * The push service job calls. Each message is encoded once ({@link PushMessage}) and
 * every target connection writes a retained duplicate of it. Pushes to keys are queued
 * on their channels from the RPC thread (a non-blocking hand-off to the event loop);
 * room messages and broadcasts are handed to the buckets' room workers, so an RPC
 * thread never walks a room or waits on a socket. A malformed OP_RAW batch is answered
 * with {@code INVALID_ARGUMENT}.
 *
 * <p>Thread-safe.
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
        PushMessage msg = encode(req.getProto(), out);
        if (msg == null) {
            return;
        }
        boolean delivered;
        try {
            delivered = write(req.getKey(), msg);
        } finally {
            msg.release();
        }
        out.onNext(PushMsgReply.newBuilder().setDelivered(delivered).build());
        out.onCompleted();
    }

    /** Replies with the index of the last key delivered to (-1: none) and how many were. */
    @Override
    public void mPushMsg(MPushMsgReq req, StreamObserver<MPushMsgReply> out) {
        PushMessage msg = encode(req.getProto(), out);
        if (msg == null) {
            return;
        }
        int last = -1;
        int delivered = 0;
        try {
            for (int i = 0; i < req.getKeysCount(); i++) {
                if (write(req.getKeys(i), msg)) {
                    last = i;
                    delivered++;
                }
            }
        } finally {
            msg.release();
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
            PushMessage msg = encode(p.getProto(), out);
            if (msg == null) {
                return;
            }
            try {
                if (write(p.getKey(), msg)) {
                    last = i;
                    delivered++;
                }
            } finally {
                msg.release();
            }
        }
        out.onNext(MPushMsgsReply.newBuilder().setIndex(last).setDelivered(delivered).build());
        out.onCompleted();
    }

    /** Every bucket delivers in parallel on its room workers; the reply is sent when all are done. */
    @Override
    public void broadcast(BroadcastReq req, StreamObserver<BroadcastReply> out) {
        PushMessage msg = encode(req.getProto(), out);
        if (msg == null) {
            return;
        }
        try {
            comet.buckets().broadcast(msg).whenComplete((delivered, error) -> {
                out.onNext(BroadcastReply.newBuilder().setDelivered(delivered == null ? 0 : delivered).build());
                out.onCompleted();
            });
        } finally {
            msg.release();
        }
    }

    /** Queued on the room workers of every bucket that has the room; replies at once. */
    @Override
    public void broadcastRoom(BroadcastRoomReq req, StreamObserver<BroadcastRoomReply> out) {
        PushMessage msg = encode(req.getProto(), out);
        if (msg == null) {
            return;
        }
        try {
            comet.buckets().broadcastRoom(req.getRoomId(), msg);
        } finally {
            msg.release();
        }
        out.onNext(BroadcastRoomReply.getDefaultInstance());
        out.onCompleted();
    }

    /** The rooms with at least one connection on this comet. */
    @Override
    public void rooms(RoomsReq req, StreamObserver<RoomsReply> out) {
        out.onNext(RoomsReply.newBuilder().addAllRoomIds(comet.buckets().roomIds()).build());
        out.onCompleted();
    }

    /** Encodes {@code p}, or answers INVALID_ARGUMENT and returns null when it is malformed. */
    private PushMessage encode(Proto p, StreamObserver<?> out) {
        try {
            return PushMessage.of(alloc, p);
        } catch (IllegalArgumentException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return null;
        }
    }

    private boolean write(String key, PushMessage msg) {
        return msg.writeTo(comet.buckets().get(key), comet.counters(), comet.whitelist());
    }
}
