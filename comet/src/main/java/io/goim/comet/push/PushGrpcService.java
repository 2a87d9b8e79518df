package io.goim.comet.push;

import io.goim.comet.session.ConnectionRegistry;
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
import io.goim.libs.log.RateLimitedLog;
import io.goim.protocol.Op;
import io.grpc.Status;
import io.goim.libs.admin.CounterFamily;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The push service job calls. Each message is encoded once ({@link PushMessage}) and
 * queued for the event loops of its connections ({@link Outboxes}), which write it; an
 * RPC thread never walks a room or touches a socket.
 *
 * <p>When comet already holds {@code comet.push.max-pending} bytes of unwritten pushes a
 * call is answered {@code RESOURCE_EXHAUSTED} and nothing of it is queued: job retries it
 * later, so no accepted push is lost to a full queue. Pushes to keys are answered once
 * queued (with the keys found here); room calls once queued while few are unwritten
 * ({@code comet.push.room-window}), else, like broadcasts, once every loop has written
 * them, so job's room batches grow exactly while comet is behind. A malformed OP_RAW
 * batch is answered {@code INVALID_ARGUMENT}, and so is a call that carries a control
 * operation rather than a push ({@link PushOps}), counted as
 * {@code goim_comet_push_control_ops_refused_total{op}}.
 *
 * <p>Thread-safe.
 */
public final class PushGrpcService extends CometGrpc.CometImplBase {
    private static final Logger log = LoggerFactory.getLogger(PushGrpcService.class);
    private final Outboxes outboxes;
    private final PacedBroadcasts paced;
    private final ConnectionRegistry registry;
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private final CounterFamily controlOpsRefused;
    private final RateLimitedLog controlLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);

    /**
     * @param paced runs the broadcasts with a speed
     * @param registry the connections: how many a broadcast reaches, which rooms have any
     * @param controlOpsRefused counts the calls refused for a control operation, by op
     */
    public PushGrpcService(Outboxes outboxes, PacedBroadcasts paced, ConnectionRegistry registry,
            CounterFamily controlOpsRefused) {
        this.outboxes = outboxes;
        this.paced = paced;
        this.registry = registry;
        this.controlOpsRefused = controlOpsRefused;
    }

    @Override
    public void ping(Empty request, StreamObserver<Empty> out) {
        out.onNext(Empty.getDefaultInstance());
        out.onCompleted();
    }

    @Override
    public void pushMsg(PushMsgReq req, StreamObserver<PushMsgReply> out) {
        PushMessage msg = admit(req.getProto(), out);
        if (msg == null) {
            return;
        }
        Outboxes.Queued queued;
        try {
            queued = outboxes.toKeys(List.of(req.getKey()), msg);
        } finally {
            msg.release();
        }
        out.onNext(PushMsgReply.newBuilder().setDelivered(queued.count() > 0).build());
        out.onCompleted();
    }

    /** Replies with the index of the last key that has a connection here (-1: none) and how many do. */
    @Override
    public void mPushMsg(MPushMsgReq req, StreamObserver<MPushMsgReply> out) {
        PushMessage msg = admit(req.getProto(), out);
        if (msg == null) {
            return;
        }
        Outboxes.Queued queued;
        try {
            queued = outboxes.toKeys(req.getKeysList(), msg);
        } finally {
            msg.release();
        }
        out.onNext(MPushMsgReply.newBuilder().setIndex(queued.last()).setDelivered(queued.count()).build());
        out.onCompleted();
    }

    @Override
    public void mPushMsgs(MPushMsgsReq req, StreamObserver<MPushMsgsReply> out) {
        if (!outboxes.admit()) {
            busy(out);
            return;
        }
        // Encode every push first, so a malformed one is refused before any is queued.
        List<PushMessage> msgs = new ArrayList<>(req.getPushesCount());
        try {
            for (PushMsgReq p : req.getPushesList()) {
                PushMessage msg = encode(p.getProto(), out);
                if (msg == null) {
                    return;
                }
                msgs.add(msg);
            }
            int last = -1;
            int delivered = 0;
            for (int i = 0; i < msgs.size(); i++) {
                if (outboxes.toKeys(List.of(req.getPushes(i).getKey()), msgs.get(i)).count() > 0) {
                    last = i;
                    delivered++;
                }
            }
            out.onNext(MPushMsgsReply.newBuilder().setIndex(last).setDelivered(delivered).build());
            out.onCompleted();
        } finally {
            msgs.forEach(PushMessage::release);
        }
    }

    /**
     * Queued on every event loop; the reply, with the number of connections written to, when
     * all have written it. With a speed (goim v2's), paced ({@link PacedBroadcasts}) and
     * answered once accepted, with the connections it is for; RESOURCE_EXHAUSTED while
     * {@code comet.push.max-paced-broadcasts} run (job retries).
     */
    @Override
    public void broadcast(BroadcastReq req, StreamObserver<BroadcastReply> out) {
        PushMessage msg = admit(req.getProto(), out);
        if (msg == null) {
            return;
        }
        if (req.getSpeed() > 0) {
            boolean started;
            try {
                started = paced.start(msg, req.getSpeed());
            } finally {
                msg.release();
            }
            if (started) {
                reply(out, BroadcastReply.newBuilder().setDelivered(registry.online()).build());
            } else {
                out.onError(Status.RESOURCE_EXHAUSTED.withDescription(paced.running()
                        + " paced broadcasts run (comet.push.max-paced-broadcasts); retry later").asRuntimeException());
            }
            return;
        }
        try {
            outboxes.toAll(msg, delivered -> reply(out, BroadcastReply.newBuilder().setDelivered(delivered).build()));
        } finally {
            msg.release();
        }
    }

    /** Queued on every event loop; the reply when all have written it to the room's members. */
    @Override
    public void broadcastRoom(BroadcastRoomReq req, StreamObserver<BroadcastRoomReply> out) {
        PushMessage msg = admit(req.getProto(), out);
        if (msg == null) {
            return;
        }
        try {
            outboxes.toRoom(req.getRoomKey(), msg, delivered -> reply(out, BroadcastRoomReply.getDefaultInstance()));
        } finally {
            msg.release();
        }
    }

    /**
     * Answers a call whose deliveries were written, from the event loop that finished
     * last. The caller may have given up meanwhile (its deadline passed): the answer is
     * then refused, and that must not disturb the loop.
     */
    private static <T> void reply(StreamObserver<T> out, T value) {
        try {
            out.onNext(value);
            out.onCompleted();
        } catch (StatusRuntimeException cancelled) {
            // job has stopped waiting; it retries or gives up on its side
        }
    }

    /** The rooms with at least one connection on this comet. */
    @Override
    public void rooms(RoomsReq req, StreamObserver<RoomsReply> out) {
        out.onNext(RoomsReply.newBuilder().addAllRoomKeys(registry.roomKeys()).build());
        out.onCompleted();
    }

    /** Encodes {@code p} if comet has room for it; otherwise answers (busy or malformed) and returns null. */
    private PushMessage admit(Proto p, StreamObserver<?> out) {
        if (!outboxes.admit()) {
            busy(out);
            return null;
        }
        return encode(p, out);
    }

    private void busy(StreamObserver<?> out) {
        out.onError(Status.RESOURCE_EXHAUSTED
                .withDescription(outboxes.pending() + " bytes of pushes wait to be written; retry later")
                .asRuntimeException());
    }

    /**
     * Encodes {@code p}, or answers INVALID_ARGUMENT and returns null when it is malformed or
     * carries a control operation (see {@link PushOps}): nothing of the call is queued.
     */
    private PushMessage encode(Proto p, StreamObserver<?> out) {
        OptionalInt found = PushOps.firstControlOp(p);
        if (found.isPresent()) {
            int control = found.getAsInt();
            // Tagged by name: Op.name maps every undefined code to "unknown", so the tag stays bounded.
            controlOpsRefused.of(Op.name(control)).increment();
            controlLog.warn("refused a push call carrying op {} ({}): only pushes (op {}) may be sent to clients",
                    control, Op.name(control), Op.SEND_MSG_REPLY);
            out.onError(Status.INVALID_ARGUMENT.withDescription("op " + control + " (" + Op.name(control)
                    + ") is not a push: comet sends control operations itself, a push call may carry only op "
                    + Op.SEND_MSG_REPLY).asRuntimeException());
            return null;
        }
        try {
            return PushMessage.of(alloc, p);
        } catch (IllegalArgumentException e) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
            return null;
        }
    }
}
