package io.goim.job.comets;

import io.goim.job.JobMeters;
import io.goim.libs.batch.CallCoalescer;
import io.goim.proto.MPushMsgReq;
import io.goim.proto.MPushMsgsReq;
import io.goim.proto.Proto;
import io.goim.proto.PushMsgReq;
import io.micrometer.core.instrument.Counter;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The user pushes (Kafka records of type MULTIPLE) of one comet, sent in Kafka order with
 * one call in flight: at idle a push leaves at once, alone, as before (MPushMsg: its keys,
 * its packet encoded once); while a call is out, the pushes that arrive wait and leave
 * together in the next call, so under load the number of calls stays bounded by the
 * comet's answer time, not by the push rate.
 *
 * <pre>
 *  one push waiting:   MPushMsg  { keys = [k1, k2], proto = p }
 *  several waiting:    MPushMsgs { pushes = [ (k1, p), (k2, p), (k3, q) ] }      one entry per key
 * </pre>
 *
 * A batch holds at most {@code maxBytes} of entries (keys times packet, roughly; far below
 * gRPC's 4 MiB message limit) and at least one push; the rest wait for the next call.
 * Each push's future completes with the call's outcome: true when the comet took it, false
 * when the call was given up ({@link CometClient} retries, counts and logs). One call in
 * flight also keeps the pushes to one connection in order, which several parallel calls
 * would not. The queue holds only records in flight, which the consumer bounds per
 * partition ({@code job.kafka.max-in-flight}). Meters: {@code goim_job_user_batches_total}
 * (calls) and {@code goim_job_user_batched_pushes_total} (pushes in them), tagged by comet.
 *
 * <p>Thread-safe: the queue is a {@link CallCoalescer}, guarded by its monitor; calls are made outside it.
 */
public final class UserPushBatcher {
    /** Bytes of user pushes one call to a comet carries at most. */
    static final int MAX_BYTES = 1 << 20;

    private record Push(List<String> keys, Proto proto, CompletableFuture<Boolean> handed) {
    }

    private final CometClient comet;
    private final Counter batches;
    private final Counter batched;
    private final CallCoalescer<Push, Boolean> calls;

    UserPushBatcher(CometClient comet, int maxBytes, JobMeters.PerComet meters) {
        this.comet = comet;
        this.batches = meters.userBatches();
        this.batched = meters.userBatchedPushes();
        this.calls = new CallCoalescer<>(maxBytes, UserPushBatcher::size, this::send, UserPushBatcher::complete);
    }

    /** Queues one push of {@code proto} to {@code keys}; completes with true when the comet took it, false when given up. */
    public CompletableFuture<Boolean> submit(List<String> keys, Proto proto) {
        Push p = new Push(keys, proto, new CompletableFuture<>());
        calls.add(p);
        return p.handed();
    }

    /** Bytes of {@code p}'s entries in an MPushMsgs call, roughly: each key with its own copy of the packet. */
    private static long size(Push p) {
        long perEntry = p.proto().getBody().size() + 32L;
        for (String k : p.keys()) {
            perEntry += k.length();
        }
        return perEntry * p.keys().size();
    }

    /** One call to the comet: MPushMsg for a single push, MPushMsgs for several. */
    private CompletableFuture<Boolean> send(List<Push> batch) {
        CompletableFuture<Boolean> call = batch.size() == 1 ? one(batch.get(0)) : many(batch);
        batches.increment();
        batched.increment(batch.size());
        return call;
    }

    private CompletableFuture<Boolean> one(Push p) {
        MPushMsgReq req = MPushMsgReq.newBuilder().addAllKeys(p.keys()).setProto(p.proto()).build();
        return comet.submit("user push", stub -> stub.mPushMsg(req));
    }

    private CompletableFuture<Boolean> many(List<Push> batch) {
        MPushMsgsReq.Builder req = MPushMsgsReq.newBuilder();
        for (Push p : batch) {
            for (String key : p.keys()) {
                req.addPushes(PushMsgReq.newBuilder().setKey(key).setProto(p.proto()));
            }
        }
        MPushMsgsReq built = req.build();
        return comet.submit(batch.size() + " user pushes", stub -> stub.mPushMsgs(built));
    }

    private static void complete(List<Push> batch, Boolean ok, Throwable error) {
        boolean handed = error == null && ok != null && ok;
        for (Push p : batch) {
            p.handed().complete(handed);
        }
    }
}
