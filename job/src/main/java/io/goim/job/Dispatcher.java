package io.goim.job;

import com.google.protobuf.InvalidProtocolBufferException;
import io.goim.libs.log.RateLimitedLog;
import io.goim.libs.protocol.Op;
import io.goim.proto.Proto;
import io.goim.proto.PushMsg;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one Kafka record into the comet calls it needs: user pushes to the record's comet
 * (MPushMsg), broadcasts and room pushes to every comet. The returned future completes
 * when every call finished, successfully or given up after its retries (then counted);
 * it never fails, so one bad record or dead comet cannot stop consumption.
 *
 * <p>Thread-safe.
 */
final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    /** Version field of pushed packets, as goim's push examples show it. */
    static final int PUSH_VER = 0;

    private final Comets comets;
    private final JobCounters counters;
    private final RateLimitedLog badRecordLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    private final RateLimitedLog cometLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);

    Dispatcher(Comets comets, JobCounters counters) {
        this.comets = comets;
        this.counters = counters;
    }

    CompletableFuture<Void> dispatch(byte[] value, String where) {
        counters.consumed.increment();
        PushMsg msg;
        try {
            msg = PushMsg.parseFrom(value == null ? new byte[0] : value);
        } catch (InvalidProtocolBufferException e) {
            return malformed(where, "not a PushMsg: " + e.getMessage());
        }
        Proto proto = Proto.newBuilder()
                .setVer(PUSH_VER)
                .setOp(msg.getOperation() == 0 ? Op.SEND_MSG_REPLY : msg.getOperation())
                .setBody(msg.getMsg())
                .build();
        List<CompletableFuture<?>> calls = new ArrayList<>();
        switch (msg.getType()) {
            case MULTIPLE -> {
                if (!comets.knows(msg.getServer())) {
                    counters.unknownComet.increment();
                    cometLog.warn("{}: push for comet {} which is not configured; skipped", where, msg.getServer());
                    return CompletableFuture.completedFuture(null);
                }
                calls.add(watch(msg.getServer(), comets.mPush(msg.getServer(), msg.getKeysList(), proto)));
            }
            case BROADCAST -> {
                for (int id : comets.ids()) {
                    calls.add(watch(id, comets.broadcast(id, proto)));
                }
            }
            case BROADCAST_ROOM -> {
                for (int id : comets.ids()) {
                    calls.add(watch(id, comets.broadcastRoom(id, msg.getRoomId(), proto)));
                }
            }
            default -> {
                return malformed(where, "type " + msg.getType());
            }
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> malformed(String where, String why) {
        counters.malformed.increment();
        badRecordLog.warn("{}: skipping malformed record: {}", where, why);
        return CompletableFuture.completedFuture(null);
    }

    private CompletableFuture<?> watch(int server, CompletableFuture<?> call) {
        return call.handle((v, error) -> {
            if (error == null) {
                counters.cometCallsOk.increment();
            } else {
                counters.cometCallsGivenUp.increment();
                cometLog.warn("push to comet {} given up: {}", server, error.toString());
            }
            return null;
        });
    }
}
