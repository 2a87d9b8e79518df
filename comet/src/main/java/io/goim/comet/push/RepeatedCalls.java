package io.goim.comet.push;

import io.goim.comet.CometMeters;
import io.goim.libs.grpc.CallIds;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.function.LongSupplier;

/**
 * Applies each push call once, however often job sends it. Job retries a call it did not
 * see answered (deadline exceeded, connection lost); comet may have applied it all the
 * same — a room or broadcast call is answered only once its loops wrote it, which on a
 * cold or loaded comet can take longer than job's deadline — and the retry would then
 * push the same message to the same connections again. Each call carries an id, the same
 * on every retry ({@link CallIds}); a call whose id was applied recently is answered OK
 * with an empty reply and applied no more ({@code goim_comet_push_repeats_total}). One
 * that arrives while an earlier attempt is still in the handler is answered UNAVAILABLE,
 * which job retries: by then the first attempt is applied (the retry is skipped) or was
 * refused (busy, malformed: its id is forgotten, and the retry applies it).
 *
 * <p>Calls without an id (other callers, older jobs) pass through. Memory is bounded:
 * ids are kept in two generations of at most {@link #GENERATION_CAP} each, the older
 * dropped when the newer is {@code generation} old or full; so an id is remembered at
 * least {@code generation} (at most twice that) while fewer than {@link #GENERATION_CAP}
 * calls arrive per generation, which covers job's retries (a few deadlines and backoffs).
 *
 * <p>Thread-safe.
 */
public final class RepeatedCalls implements ServerInterceptor {
    /** Ids one generation holds at most (about 4 MiB for both generations when full). */
    static final int GENERATION_CAP = 32_768;

    private final long generationNanos;
    private final LongSupplier nanoClock;
    private final Counter repeats;
    private final Counter overlapping;
    /** Id → applied (true) or in the handler now (false); guarded by this. */
    private HashMap<Long, Boolean> current = new HashMap<>();
    private HashMap<Long, Boolean> previous = new HashMap<>();
    private long generationStart;

    public RepeatedCalls(Duration generation, LongSupplier nanoClock, CometMeters.Repeats meters) {
        this.generationNanos = generation.toNanos();
        this.nanoClock = nanoClock;
        this.generationStart = nanoClock.getAsLong();
        this.repeats = meters.applied();
        this.overlapping = meters.overlapping();
    }

    private enum Claim { NEW, APPLIED, IN_HANDLER }

    private synchronized Claim claim(long id) {
        long now = nanoClock.getAsLong();
        if (now - generationStart >= generationNanos || current.size() >= GENERATION_CAP) {
            previous = current;
            current = new HashMap<>();
            generationStart = now;
        }
        Boolean state = current.get(id);
        if (state == null) {
            state = previous.get(id);
        }
        if (state == null) {
            current.put(id, Boolean.FALSE);
            return Claim.NEW;
        }
        return state ? Claim.APPLIED : Claim.IN_HANDLER;
    }

    /** After the handler ran: remembered as applied, or forgotten when it was refused (so a retry applies it). */
    private synchronized void settle(long id, boolean applied) {
        HashMap<Long, Boolean> holder = current.containsKey(id) ? current : previous.containsKey(id) ? previous : null;
        if (applied) {
            (holder != null ? holder : current).put(id, Boolean.TRUE);
        } else if (holder != null) {
            holder.remove(id);
        }
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
        long id = CallIds.of(headers);
        if (id == 0) {
            return next.startCall(call, headers);
        }
        switch (claim(id)) {
            case APPLIED -> {
                repeats.increment();
                // The reply job's first attempt missed, as far as job needs one: success.
                // (Counts in it, e.g. how many connections a push reached, read 0.)
                A empty = call.getMethodDescriptor().parseResponse(new ByteArrayInputStream(new byte[0]));
                call.sendHeaders(new Metadata());
                call.sendMessage(empty);
                call.close(Status.OK, new Metadata());
                return new ServerCall.Listener<>() { };
            }
            case IN_HANDLER -> {
                overlapping.increment();
                call.close(Status.UNAVAILABLE.withDescription("an earlier attempt of this call is being applied; retry"),
                        new Metadata());
                return new ServerCall.Listener<>() { };
            }
            default -> {
                return handle(id, call, headers, next);
            }
        }
    }

    /**
     * Runs the call and settles its id when the handler returns: a unary handler runs in
     * half-close, and refuses a call (busy, malformed) by closing it with an error before it
     * returns; an answer that comes later (room and broadcast calls, from the loops) means
     * it was queued, i.e. applied. A call cancelled before its handler ran was not applied.
     */
    private <Q, A> ServerCall.Listener<Q> handle(long id, ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
        final class Watched extends ForwardingServerCall.SimpleForwardingServerCall<Q, A> {
            volatile boolean refused;

            Watched() {
                super(call);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                if (!status.isOk()) {
                    refused = true;
                }
                super.close(status, trailers);
            }
        }
        Watched watched = new Watched();
        ServerCall.Listener<Q> listener;
        try {
            listener = next.startCall(watched, headers);
        } catch (RuntimeException e) {
            settle(id, false);
            throw e;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            private boolean settled;

            @Override
            public void onHalfClose() {
                boolean ok = false;
                try {
                    super.onHalfClose();
                    ok = true;
                } finally {
                    settled = true;
                    settle(id, ok && !watched.refused);
                }
            }

            @Override
            public void onCancel() {
                if (!settled) {
                    settled = true;
                    settle(id, false); // gone before its handler ran: nothing applied
                }
                super.onCancel();
            }
        };
    }
}
