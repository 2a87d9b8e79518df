package io.goim.job.dispatch;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.goim.job.JobMeters;
import io.goim.job.Scheduler;
import io.goim.job.comets.CometClient;
import io.goim.job.comets.CometSet;
import io.goim.job.comets.UserPushBatcher;
import io.goim.job.consume.Dispatched;
import io.goim.job.rooms.RoomBatcher;
import io.goim.job.rooms.RoomBatchers;
import io.goim.libs.log.RateLimitedLog;
import io.goim.protocol.Op;
import io.goim.protocol.RoomKeys;
import io.goim.protocol.Packets;
import io.goim.proto.BroadcastReq;
import io.goim.proto.BroadcastRoomReq;
import io.goim.proto.Proto;
import io.goim.proto.PushMsg;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one Kafka record into the comet calls it needs: a user push (MULTIPLE) to the
 * record's comet (through its {@link UserPushBatcher}: MPushMsg, or MPushMsgs with the
 * pushes that piled up), a broadcast to every comet, a room push into the room's
 * batcher, whose batches go to every comet (BroadcastRoom, OP_RAW).
 *
 * <p>{@link #dispatch} takes the record ({@link Dispatched.Taken}: a future that completes
 * once the record was handed to every comet that needed it, given up for a comet (counted
 * by {@link CometClient}), or skipped as malformed (counted); it never fails), or, for a
 * room message whose room's queue is full, answers {@link Dispatched#WAIT}: the caller
 * keeps the record (pausing its partition) and offers it again later, so nothing accepted
 * is dropped for a full queue.
 *
 * <p>Thread-safe.
 */
public final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    private final CometSet comets;
    private final RoomBatchers rooms;
    private final JobMeters.Dispatch meters;
    private final Scheduler scheduler;
    private final Duration unknownCometWait;
    private final RateLimitedLog badRecordLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    private final RateLimitedLog unknownCometLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    private final RateLimitedLog replacedOpLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);

    /**
     * {@code unknownCometWait}: how long a user push for a comet job does not know waits for
     * discovery to find it ({@link CometSet#whenKnown}; 0: skipped at once), timed on {@code scheduler}.
     */
    public Dispatcher(CometSet comets, RoomBatchers rooms, JobMeters.Dispatch meters, Scheduler scheduler,
            Duration unknownCometWait) {
        this.comets = comets;
        this.rooms = rooms;
        this.meters = meters;
        this.scheduler = scheduler;
        this.unknownCometWait = unknownCometWait;
    }

    /**
     * Sends one room batch to every comet (goim v2's way): whoever joined the room before
     * the push was accepted gets it, on any comet; a comet with no member writes nothing.
     * Used as the batchers' {@link RoomBatcher.Sender}.
     */
    public static RoomBatcher.Sender roomSender(Supplier<Collection<CometClient>> comets, JobMeters.Dispatch meters) {
        return (room, batch) -> {
            BroadcastRoomReq req = BroadcastRoomReq.newBuilder().setRoomKey(room).setProto(batch).build();
            List<CompletableFuture<?>> calls = new ArrayList<>();
            int lane = room.hashCode(); // String caches it: one room, one lane, its batches in order
            for (CometClient c : comets.get()) {
                calls.add(counted(meters, JobMeters.Kind.ROOM,
                        c.submit(lane, "room " + room + " batch", stub -> stub.broadcastRoom(req))));
            }
            return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
        };
    }

    /** See the class comment; {@code where} names the record in log lines. */
    public Dispatched dispatch(byte[] value, String where) {
        PushMsg msg;
        try {
            msg = PushMsg.parseFrom(value == null ? new byte[0] : value);
        } catch (InvalidProtocolBufferException e) {
            return Dispatched.taken(malformed(where, "not a PushMsg: " + e.getMessage()));
        }
        int op = pushOp(msg.getOperation(), where);
        switch (msg.getType()) {
            case MULTIPLE -> {
                meters.records().get(JobMeters.Kind.USER).increment();
                CometSet.Member comet = comets.get(msg.getServer());
                if (comet != null) {
                    return Dispatched.taken(toUsers(comet, msg, op));
                }
                if (unknownCometWait.isZero()) {
                    return Dispatched.taken(unknownComet(msg.getServer(), where));
                }
                // A comet that just started may log users in before discovery finds it: the
                // record stays in flight (in order, bounded by job.kafka.max-in-flight) meanwhile.
                CompletableFuture<CometSet.Member> known = comets.whenKnown(msg.getServer());
                if (!known.isDone()) {
                    scheduler.schedule(unknownCometWait, () -> known.complete(null));
                }
                return Dispatched.taken(known.thenCompose(m -> m != null ? toUsers(m, msg, op)
                        : unknownComet(msg.getServer(), where)));
            }
            case BROADCAST -> {
                meters.records().get(JobMeters.Kind.BROADCAST).increment();
                Collection<CometClient> targets = comets.clients();
                BroadcastReq req = BroadcastReq.newBuilder().setProto(proto(op, msg))
                        .setSpeed(cometSpeed(msg.getSpeed(), targets.size())).build();
                List<CompletableFuture<?>> calls = new ArrayList<>();
                for (CometClient c : targets) {
                    calls.add(counted(meters, JobMeters.Kind.BROADCAST,
                            c.submit("broadcast " + where, stub -> stub.broadcast(req))));
                }
                return Dispatched.taken(CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)));
            }
            case BROADCAST_ROOM -> {
                meters.records().get(JobMeters.Kind.ROOM).increment();
                return room(msg, op, where);
            }
            default -> {
                return Dispatched.taken(malformed(where, "type " + msg.getType()));
            }
        }
    }

    /**
     * goim v2's broadcast speed for one comet: the record's speed (connections per second
     * over the whole cluster) divided among the comets, at least 1; 0 (no limit) stays 0.
     */
    static int cometSpeed(int speed, int comets) {
        if (speed <= 0 || comets <= 0) {
            return 0;
        }
        return Math.max(1, speed / comets);
    }

    /**
     * The operation clients see for a record whose {@code operation} field says {@code op}:
     * always a push. A record is data from whoever can write to the topic, never an order to
     * the server: an {@code operation} that is not a push (op 6 would disconnect clients, op 8
     * fake a login, op 11 smuggle a batch) is replaced by op 5 and the message still
     * delivered, counted as {@code goim_job_record_operations_replaced_total{op}}. Comet
     * refuses such calls too (its PushGrpcService), should anything else call it.
     */
    int pushOp(int op, String where) {
        if (op == 0 || Op.isPush(op)) {
            return op == 0 ? Op.SEND_MSG_REPLY : op;
        }
        // Tagged by name: Op.name maps every undefined code to "unknown", so the tag stays bounded.
        meters.operationsReplaced().of(Op.name(op)).increment();
        replacedOpLog.warn("{}: record with operation {} ({}), not a push: delivered as op {}", where, op, Op.name(op),
                Op.SEND_MSG_REPLY);
        return Op.SEND_MSG_REPLY;
    }

    private CompletableFuture<Void> toUsers(CometSet.Member comet, PushMsg msg, int op) {
        return counted(meters, JobMeters.Kind.USER, comet.users().submit(msg.getKeysList(), proto(op, msg)))
                .thenApply(ok -> null);
    }

    private CompletableFuture<Void> unknownComet(int server, String where) {
        meters.unknownComet().increment();
        unknownCometLog.warn("{}: push for comet {} which is neither configured nor announced (waited {} ms); skipped",
                where, server, unknownCometWait.toMillis());
        return CompletableFuture.completedFuture(null);
    }

    private Dispatched room(PushMsg msg, int op, String where) {
        String room = roomOf(msg);
        if (room.isEmpty()) {
            return Dispatched.taken(malformed(where, "room record without a room (room_key empty, room_id "
                    + msg.getRoomId() + ")"));
        }
        CompletableFuture<Void> handed = new CompletableFuture<>();
        if (rooms.offer(room, packet(op, msg.getMsg()), handed) == RoomBatcher.Offer.ACCEPTED) {
            return Dispatched.taken(handed);
        }
        // Full: the record waits in Kafka (its partition pauses) rather than being dropped,
        // whatever its ensure flag says; ensure is kept on the wire for goim's backends.
        meters.roomBackpressure().increment();
        return Dispatched.WAIT;
    }

    /**
     * The room key of a room record: {@code room_key}, or for a record written before
     * room keys (only {@code room_id} set) the key of v1 room {@code room_id}, so records
     * waiting in Kafka across an upgrade are still delivered. Empty for none.
     */
    static String roomOf(PushMsg msg) {
        String key = msg.getRoomKey();
        return key.isEmpty() ? RoomKeys.ofV1(msg.getRoomId()) : key;
    }

    /** Counts a comet call's outcome under {@code kind} when it completes. */
    private static CompletableFuture<Boolean> counted(JobMeters.Dispatch meters, JobMeters.Kind kind,
            CompletableFuture<Boolean> call) {
        return call.thenApply(ok -> {
            meters.call(kind, ok);
            return ok;
        });
    }

    private static Proto proto(int op, PushMsg msg) {
        return Proto.newBuilder().setVer(Packets.PUSH_VER).setOp(op).setBody(msg.getMsg()).build();
    }

    /** One complete client packet ({@link Packets} layout, seq 0): 16-byte header, then {@code body}. */
    public static ByteString packet(int op, ByteString body) {
        byte[] header = new byte[Packets.HEADER_LENGTH];
        ByteBuf out = Unpooled.wrappedBuffer(header).clear();
        Packets.writeHeader(out, Packets.PUSH_VER, op, 0, body.size());
        return ByteString.copyFrom(header).concat(body);
    }

    private CompletableFuture<Void> malformed(String where, String why) {
        meters.malformed().increment();
        badRecordLog.warn("{}: skipping malformed record: {}", where, why);
        return CompletableFuture.completedFuture(null);
    }
}
