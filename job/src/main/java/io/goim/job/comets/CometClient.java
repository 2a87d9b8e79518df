package io.goim.job.comets;

import com.google.common.util.concurrent.ListenableFuture;
import io.goim.job.JobConfig;
import io.goim.job.JobMeters;
import io.goim.job.Scheduler;
import io.goim.libs.admin.Readiness;
import io.goim.libs.admin.RpcMetrics;
import io.goim.libs.config.HostPort;
import io.goim.libs.grpc.CallIds;
import io.goim.libs.grpc.Futures;
import io.goim.libs.grpc.GrpcChannels;
import io.goim.libs.grpc.HealthChecks;
import io.goim.libs.log.RateLimitedLog;
import io.goim.proto.CometGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job's client of one comet: a gRPC channel and a fixed set of lanes (goim's routines).
 * A lane is a FIFO queue of calls that sends one call at a time, asynchronously, with a
 * deadline; so calls given the same lane key (a room) reach the comet in the order they
 * were submitted. A lane holds only calls for records in flight, which the consumer
 * bounds per partition ({@code job.kafka.max-in-flight}), so it needs no bound of its own.
 * Every attempt of a call carries the call's idempotency id ({@link CallIds}): a retry
 * after a deadline may follow an attempt comet applied and answered late, and comet
 * applies each id once.
 *
 * <p>A comet job follows (configured, or announced in discovery) is one whose clients are
 * there: a push accepted for them is not dropped because the comet is slow, starting or
 * briefly unreachable. A call that fails transiently ({@code UNAVAILABLE},
 * {@code DEADLINE_EXCEEDED}) or that the comet refuses as behind
 * ({@code RESOURCE_EXHAUSTED}, counted in {@code goim_job_comet_busy_total}) is retried
 * after a backoff for as long as it takes; the lane waits, its records stay in flight and
 * the consumer pauses their partitions once {@code max-in-flight} or a room's queue is
 * reached: the backlog waits in Kafka. Meanwhile the other comets' lanes go on, so the
 * other comets keep receiving until those bounds are reached.
 *
 * <p>A call is given up — its future completes with {@code false}, counted in
 * {@code goim_job_comet_given_up_total{comet,reason}} and logged, rate-limited — only when:
 * <ul>
 *   <li>{@code gone}: the comet left discovery (withdrawn, or its announcement expired):
 *       {@link CometSet} closes its client; its clients went with it.</li>
 *   <li>{@code stalled}: the comet answered no call for {@code job.comet-stall-limit}
 *       while calls kept failing. This is the bound on how long one comet may hold every
 *       partition it has records in (and so every other comet's pushes from them); past
 *       it the comet is marked stalled (counted in {@code goim_job_comet_stalls_total}),
 *       what is queued for it is given up, and so is every new call, until it answers
 *       again: a call of job's poll ({@link CometPoller}) marks it answering, with a
 *       fresh limit. 0 never gives up.</li>
 *   <li>{@code refused}: the comet answered with a status a retry cannot change
 *       (e.g. {@code UNAUTHENTICATED}, {@code INVALID_ARGUMENT}, {@code INTERNAL}).</li>
 *   <li>{@code stopping}: job stops: the records are not committed, the next owner of
 *       their partitions reads them again.</li>
 * </ul>
 * Nothing here waits or blocks: a slow or dead comet fills only its own lanes.
 *
 * <p>Thread-safe.
 */
public final class CometClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CometClient.class);
    /** {@link #failingSince} while the comet answers. */
    private static final long ANSWERING = Long.MIN_VALUE;

    /** Why a call was given up: the {@code reason} tag of {@code goim_job_comet_given_up_total}. */
    public enum GiveUp {
        /** The comet answered no call for job.comet-stall-limit. */
        STALLED,
        /** The comet left discovery: withdrawn, expired, or back at another address. */
        GONE,
        /** The comet answered a status that a retry cannot change. */
        REFUSED,
        /** Job is stopping. */
        STOPPING;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One RPC, started on a stub that already carries the deadline. */
    @FunctionalInterface
    public interface Call {
        ListenableFuture<?> start(CometGrpc.CometFutureStub stub);
    }

    private final int id;
    private final ManagedChannel channel;
    private final CometGrpc.CometFutureStub stub;
    private final JobConfig.CometCalls config;
    private final Scheduler scheduler;
    private final JobMeters.PerComet meters;
    private final LongSupplier nanoClock;
    private final Lane[] lanes;
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final RateLimitedLog givenUpLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    private final RateLimitedLog busyLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    private final RateLimitedLog failingLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    /** When calls started failing without an answer since (nanoClock); {@link #ANSWERING} while the comet answers. */
    private final AtomicLong failingSince = new AtomicLong(ANSWERING);
    /** Past the stall limit and not answered since: every call is given up at once. */
    private final AtomicBoolean stalled = new AtomicBoolean();
    /** Why the client was closed; null while open. */
    private volatile GiveUp closedAs;

    /** Calls are timed and counted by {@code meters.rpc()} with {@code peer="comet-<id>"} (see {@link RpcMetrics}). */
    public CometClient(int id, List<HostPort> addresses, JobConfig.CometCalls config, Scheduler scheduler,
            JobMeters.PerComet meters) {
        this(id, addresses, config, scheduler, meters, System::nanoTime);
    }

    /** With the clock that times the stall limit. */
    CometClient(int id, List<HostPort> addresses, JobConfig.CometCalls config, Scheduler scheduler, JobMeters.PerComet meters,
            LongSupplier nanoClock) {
        this.id = id;
        // No gRPC retry policy: this client retries failed pushes itself, with backoff.
        this.channel = GrpcChannels.channel(addresses, CometGrpc.SERVICE_NAME, false, config.peerAuth());
        this.stub = CometGrpc.newFutureStub(channel).withInterceptors(meters.rpc());
        this.config = config;
        this.scheduler = scheduler;
        this.meters = meters;
        this.nanoClock = nanoClock;
        this.lanes = new Lane[config.lanes()];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new Lane();
        }
    }

    public int id() {
        return id;
    }

    /** Ready when this comet reports SERVING on its gRPC health service within {@code deadline}. */
    public CompletableFuture<Readiness> ready(Duration deadline) {
        return HealthChecks.readiness("comet " + id, stub.getChannel(), CometGrpc.SERVICE_NAME, deadline);
    }

    /** What this comet's gRPC health service reports within {@code deadline}; fails when it does not answer. */
    CompletableFuture<ServingStatus> health(Duration deadline) {
        return HealthChecks.check(stub.getChannel(), CometGrpc.SERVICE_NAME, deadline);
    }

    /** A stub with the call deadline. */
    CometGrpc.CometFutureStub stub(Duration deadline) {
        return stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * The outcome of the poll's call ({@link CometPoller}). An answer takes a stalled comet
     * back, with a fresh stall limit; it does not end the failing time of a comet whose
     * pushes still fail (a comet too busy to apply pushes may still answer a health check).
     * No answer makes the channel try to reconnect now rather than after gRPC's growing backoff.
     */
    void polled(boolean answered) {
        if (!answered) {
            channel.resetConnectBackoff();
        } else if (stalled.get()) {
            answered();
        }
    }

    /** Submits {@code call} on the lane of {@code key} (same key, same lane, same order). */
    public CompletableFuture<Boolean> submit(int key, String what, Call call) {
        return lanes[Math.floorMod(key, lanes.length)].submit(what, call);
    }

    /** Submits {@code call} on the next lane, round robin. */
    public CompletableFuture<Boolean> submit(String what, Call call) {
        return lanes[Math.floorMod(roundRobin.getAndIncrement(), lanes.length)].submit(what, call);
    }

    /** The comet answered a call: it is not failing, nor stalled. */
    private void answered() {
        failingSince.set(ANSWERING);
        if (stalled.compareAndSet(true, false)) {
            log.info("comet {} answers again: pushes to it resume", id);
        }
    }

    /**
     * A call got no answer (transient failure). True when the comet has now answered
     * nothing for the stall limit: it is stalled from now on.
     */
    private boolean unanswered() {
        long now = nanoClock.getAsLong();
        failingSince.compareAndSet(ANSWERING, now);
        long since = failingSince.get();
        long limit = config.stallLimit().toNanos();
        if (limit == 0 || since == ANSWERING || now - since < limit) {
            return false;
        }
        if (stalled.compareAndSet(false, true)) {
            meters.stalls().increment();
            log.warn("comet {} answered no push call for {} ms (job.comet-stall-limit): giving up what is queued"
                    + " for it and every new call until it answers again", id, (now - since) / 1_000_000);
        }
        return true;
    }

    /** Why a call must be given up now, before it is (re)sent; null when it may go. */
    private GiveUp refusal() {
        GiveUp closed = closedAs;
        return closed != null ? closed : stalled.get() ? GiveUp.STALLED : null;
    }

    private void givenUp(GiveUp reason, String what, String why) {
        meters.givenUp().get(reason).increment();
        givenUpLog.warn("comet {}: {} given up ({}): {}", id, what, reason.tag(), why);
    }

    private static String describe(GiveUp reason) {
        return switch (reason) {
            case STALLED -> "the comet answered nothing for job.comet-stall-limit";
            case GONE -> "the comet left discovery";
            case REFUSED -> "refused";
            case STOPPING -> "job is stopping";
        };
    }

    /** One FIFO of calls, sending one at a time. Guarded by its own monitor. */
    private final class Lane {
        private final ArrayDeque<Pending> queue = new ArrayDeque<>();
        private boolean sending;

        CompletableFuture<Boolean> submit(String what, Call call) {
            Pending p = new Pending(what, call);
            GiveUp refused = refusal();
            if (refused != null) {
                givenUp(refused, what, describe(refused));
                p.done.complete(false);
                return p.done;
            }
            boolean start;
            synchronized (this) {
                queue.add(p);
                start = !sending;
                sending |= start;
            }
            if (start) {
                next();
            }
            return p.done;
        }

        /**
         * Starts the head of the queue; called only by the lane's current owner (sending).
         * Calls that must be given up are completed in a loop, not by recursion: a comet
         * that left may have thousands queued.
         */
        private void next() {
            while (true) {
                Pending p;
                synchronized (this) {
                    p = queue.peek();
                    if (p == null) {
                        sending = false;
                        return;
                    }
                }
                GiveUp refused = refusal();
                if (refused == null) {
                    attempt(p, 1);
                    return;
                }
                synchronized (this) {
                    queue.poll();
                }
                complete(p, refused, describe(refused));
            }
        }

        private void attempt(Pending p, int attempt) {
            GiveUp refused = refusal();
            if (refused != null) {
                finish(p, refused, describe(refused));
                return;
            }
            ListenableFuture<?> f;
            try {
                // Every attempt carries the call's id: comet applies a retry of a call it applied once only.
                f = p.call.start(stub(config.timeout()).withInterceptors(CallIds.attach(p.callId)));
            } catch (RuntimeException e) {
                finish(p, closedAs != null ? closedAs : GiveUp.REFUSED, e.toString());
                return;
            }
            Futures.of(f).whenComplete((v, error) -> {
                if (error == null) {
                    answered();
                    finish(p, null, null);
                    return;
                }
                Status status = Status.fromThrowable(error);
                GiveUp closed = closedAs;
                if (closed != null) {
                    finish(p, closed, status.toString());
                    return;
                }
                switch (status.getCode()) {
                    case RESOURCE_EXHAUSTED -> {
                        answered(); // behind, not gone: it answered
                        meters.busy().increment();
                        busyLog.warn("comet {} is behind ({}); retrying after a backoff", id, status.getDescription());
                        p.busyRetries++;
                        scheduler.schedule(backoff(Math.min(p.busyRetries, 4)), () -> attempt(p, attempt));
                    }
                    case UNAVAILABLE, DEADLINE_EXCEEDED -> {
                        if (unanswered()) {
                            finish(p, GiveUp.STALLED, status.toString());
                            return;
                        }
                        meters.retries().increment();
                        failingLog.warn("comet {}: {} got no answer ({}); retrying while it is followed", id, p.what,
                                status);
                        scheduler.schedule(backoff(attempt), () -> attempt(p, attempt + 1));
                    }
                    default -> finish(p, GiveUp.REFUSED, status.toString());
                }
            });
        }

        /** Ends the head call: handed on ({@code reason} null) or given up; then the lane goes on. */
        private void finish(Pending p, GiveUp reason, String why) {
            synchronized (this) {
                queue.poll();
            }
            try {
                complete(p, reason, why); // runs the submitter's continuations (batch completion) here
            } finally {
                next(); // whatever they did, the lane goes on
            }
        }

        private void complete(Pending p, GiveUp reason, String why) {
            if (reason != null) {
                givenUp(reason, p.what, why);
            }
            p.done.complete(reason == null);
        }
    }

    /** The wait before retry number {@code attempt} (1-based): backoff doubled each time, capped. */
    Duration backoff(int attempt) {
        long nanos = config.backoff().toNanos() << Math.min(attempt - 1, 20);
        return Duration.ofNanos(Math.min(nanos, config.maxBackoff().toNanos()));
    }

    /** A queued call and the future its submitter holds. */
    private static final class Pending {
        final String what;
        final Call call;
        final CompletableFuture<Boolean> done = new CompletableFuture<>();
        /** The idempotency id every attempt of this call carries ({@link CallIds}). */
        final long callId = CallIds.next();
        /** Times the comet answered RESOURCE_EXHAUSTED; touched only by the lane's current sender. */
        int busyRetries;

        Pending(String what, Call call) {
            this.what = what;
            this.call = call;
        }
    }

    /**
     * Stops sending at once, as {@code why}: queued and retrying calls are given up with
     * that reason; the channel is closed.
     */
    void close(GiveUp why) throws InterruptedException {
        if (closedAs == null) {
            closedAs = why;
        }
        GrpcChannels.close(channel, Duration.ofSeconds(2));
    }

    /** Job stops: {@link #close(GiveUp)} with {@link GiveUp#STOPPING}. */
    @Override
    public void close() throws InterruptedException {
        close(GiveUp.STOPPING);
    }
}
