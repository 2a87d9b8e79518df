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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job's client of one comet: a gRPC channel and a fixed set of lanes (goim's routines).
 * A lane is a FIFO queue of calls that sends one call at a time, asynchronously, with a
 * deadline, retrying transient failures with exponential backoff; so calls given the
 * same lane key (a room) reach the comet in the order they were submitted. A lane holds
 * only calls for records in flight, which the consumer bounds per partition
 * ({@code job.kafka.max-in-flight}), so it needs no bound of its own and never refuses.
 * Every attempt of a call carries the call's idempotency id ({@link CallIds}): a retry
 * after a deadline may follow an attempt comet applied and answered late, and comet
 * applies each id once.
 *
 * <p>A comet that answers {@code RESOURCE_EXHAUSTED} is alive but behind: the call is
 * retried after the backoff for as long as it takes (counted in
 * {@code goim_job_comet_busy_total}), the lane waits, the records stay in flight and the
 * consumer pauses their partitions: the backlog waits in Kafka, nothing is dropped.
 *
 * <p>What is given up — retries exhausted on a comet that does not answer, or the comet
 * known to be down — completes its future with {@code false} and is counted and logged
 * (rate-limited). Nothing here waits: a slow or dead comet fills only its own lanes.
 *
 * <p>The comet is marked down when a call exhausts its retries on a transient failure;
 * while down, new calls are given up at once rather than queued behind retries, so a
 * dead comet costs nothing. It is marked up again by the next successful call, which the
 * poll makes every {@code job.comet-poll} ({@link CometPoller}); the channel reconnects
 * by itself, so a comet that comes back is used again without a restart.
 *
 * <p>Thread-safe.
 */
public final class CometClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CometClient.class);

    /** One RPC, started on a stub that already carries the deadline. */
    @FunctionalInterface
    public interface Call {
        ListenableFuture<?> start(CometGrpc.CometFutureStub stub);
    }

    private final int id;
    private final ManagedChannel channel;
    private final CometGrpc.CometFutureStub stub;
    private final JobConfig config;
    private final Scheduler scheduler;
    private final JobMeters.PerComet meters;
    private final Lane[] lanes;
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final RateLimitedLog givenUpLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    private final RateLimitedLog busyLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    private volatile boolean down;
    private volatile boolean closed;

    /** Calls are timed and counted by {@code meters.rpc()} with {@code peer="comet-<id>"} (see {@link RpcMetrics}). */
    public CometClient(int id, List<HostPort> addresses, JobConfig config, Scheduler scheduler, JobMeters.PerComet meters) {
        this.id = id;
        // No gRPC retry policy: this client retries failed pushes itself (comet-attempts), with backoff.
        this.channel = GrpcChannels.channel(addresses, CometGrpc.SERVICE_NAME, false, config.peerAuth());
        this.stub = CometGrpc.newFutureStub(channel).withInterceptors(meters.rpc());
        this.config = config;
        this.scheduler = scheduler;
        this.meters = meters;
        this.lanes = new Lane[config.cometLanes()];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new Lane();
        }
    }

    public int id() {
        return id;
    }

    boolean isDown() {
        return down;
    }

    /** Ready when this comet reports SERVING on its gRPC health service within {@code deadline}. */
    public CompletableFuture<Readiness> ready(Duration deadline) {
        return HealthChecks.readiness("comet " + id, stub.getChannel(), CometGrpc.SERVICE_NAME, deadline);
    }

    /** What this comet's gRPC health service reports within {@code deadline}; fails when it does not answer. */
    CompletableFuture<ServingStatus> health(Duration deadline) {
        return HealthChecks.check(stub.getChannel(), CometGrpc.SERVICE_NAME, deadline);
    }

    /** A stub with the call deadline, for calls outside the lanes (the poll). */
    CometGrpc.CometFutureStub stub(Duration deadline) {
        return stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Records the outcome of a call made outside the lanes: success marks the comet up. */
    void reachable(boolean ok) {
        if (ok) {
            down = false;
        } else {
            channel.resetConnectBackoff(); // try to reconnect now rather than after gRPC's growing backoff
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

    private void givenUp(String what, String why) {
        meters.givenUp().increment();
        givenUpLog.warn("comet {}: {} given up: {}", id, what, why);
    }

    /** One FIFO of calls, sending one at a time. Guarded by its own monitor. */
    private final class Lane {
        private final ArrayDeque<Pending> queue = new ArrayDeque<>();
        private boolean sending;

        CompletableFuture<Boolean> submit(String what, Call call) {
            Pending p = new Pending(what, call);
            if (down || closed) {
                givenUp(what, closed ? "job is stopping" : "comet is down");
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

        /** Starts the head of the queue; called only by the lane's current owner (sending). */
        private void next() {
            Pending p;
            synchronized (this) {
                p = queue.peek();
                if (p == null) {
                    sending = false;
                    return;
                }
            }
            attempt(p, 1);
        }

        private void attempt(Pending p, int attempt) {
            if (down || closed) {
                finish(p, false, closed ? "job is stopping" : "comet is down");
                return;
            }
            ListenableFuture<?> f;
            try {
                // Every attempt carries the call's id: comet applies a retry of a call it applied once only.
                f = p.call.start(stub(config.cometTimeout()).withInterceptors(CallIds.attach(p.callId)));
            } catch (RuntimeException e) {
                finish(p, false, e.toString());
                return;
            }
            Futures.of(f).whenComplete((v, error) -> {
                if (error == null) {
                    down = false;
                    finish(p, true, null);
                    return;
                }
                Status.Code code = Status.fromThrowable(error).getCode();
                if (code == Status.Code.RESOURCE_EXHAUSTED && !closed) {
                    meters.busy().increment();
                    busyLog.warn("comet {} is behind ({}); retrying after a backoff", id,
                            Status.fromThrowable(error).getDescription());
                    p.busyRetries++; // not an attempt: a busy comet is never given up on
                    scheduler.schedule(backoff(Math.min(p.busyRetries, 4)), () -> attempt(p, attempt));
                    return;
                }
                boolean transient_ = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
                if (transient_ && attempt < config.cometAttempts() && !closed) {
                    meters.retries().increment();
                    scheduler.schedule(backoff(attempt), () -> attempt(p, attempt + 1));
                    return;
                }
                if (transient_) {
                    down = true;
                }
                finish(p, false, Status.fromThrowable(error).toString());
            });
        }

        private void finish(Pending p, boolean ok, String why) {
            synchronized (this) {
                queue.poll();
            }
            try {
                if (!ok) {
                    givenUp(p.what, why);
                }
                p.done.complete(ok); // runs the submitter's continuations (batch completion) here
            } finally {
                next(); // whatever they did, the lane goes on
            }
        }
    }

    /** The wait before retry number {@code attempt} (1-based): backoff doubled each time, capped. */
    Duration backoff(int attempt) {
        long nanos = config.cometBackoff().toNanos() << Math.min(attempt - 1, 20);
        return Duration.ofNanos(Math.min(nanos, config.cometMaxBackoff().toNanos()));
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

    /** Stops sending at once: queued and retrying calls are given up; the channel is closed. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        GrpcChannels.close(channel, Duration.ofSeconds(2));
    }
}
