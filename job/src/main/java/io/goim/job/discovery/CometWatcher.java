package io.goim.job.discovery;

import io.goim.job.JobMeters;
import io.goim.job.comets.CometSet;
import io.goim.libs.config.HostPort;
import io.goim.libs.grpc.Futures;
import io.goim.libs.grpc.GrpcChannels;
import io.goim.libs.grpc.PeerAuth;
import io.goim.libs.log.RateLimitedLog;
import io.goim.proto.CometInstance;
import io.goim.proto.CometsReply;
import io.goim.proto.Empty;
import io.goim.proto.LogicGrpc;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes job's comets follow the comets announced in the session store (docs/operations.md,
 * "Comet discovery"): every {@code job.discovery.poll} it asks logic ({@code Logic.Comets},
 * any logic of {@code job.discovery.logic}) and hands the answer to {@link CometSet#follow}.
 * Job needs nothing of the routers or Redis: logic is its one window on the store.
 *
 * <p>A comet missing from the answers is removed only once it has been missing for
 * {@code job.discovery.remove-after}: a router or Redis that restarted empty answers
 * without the live comets until their next announcement (within one
 * comet.discovery.announce-interval), and job must not drop them meanwhile. A failed poll
 * (logic down) changes nothing: job keeps pushing to the comets it knows. Polls by outcome
 * in {@code goim_job_discovery_polls_total{outcome}}; comets followed in
 * {@code goim_job_discovered_comets}.
 *
 * <p>Thread-safe. Polls run one at a time on the watcher's own thread (closing a removed
 * comet's channel may wait), never on job's timer.
 */
public final class CometWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CometWatcher.class);

    private final Supplier<CompletableFuture<List<CometInstance>>> source;
    private final CometSet comets;
    private final long removeAfterNanos;
    private final LongSupplier nanoClock;
    private final Counter ok;
    private final Counter failed;
    private final RateLimitedLog failureLog = new RateLimitedLog(log, 30, TimeUnit.SECONDS);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "job-comet-watch");
        t.setDaemon(true);
        return t;
    });
    /** Discovered ids missing from the answers: since when (nanos). Touched only by the watcher's thread. */
    private final Map<Integer, Long> missingSince = new HashMap<>();
    /** What was last followed: id → address. Touched only by the watcher's thread. */
    private Map<Integer, HostPort> followed = Map.of();
    private final ManagedChannel channel;

    CometWatcher(Supplier<CompletableFuture<List<CometInstance>>> source, CometSet comets, Duration removeAfter,
            LongSupplier nanoClock, JobMeters.Discovery meters) {
        this(source, null, comets, removeAfter, nanoClock, meters);
    }

    private CometWatcher(Supplier<CompletableFuture<List<CometInstance>>> source, ManagedChannel channel,
            CometSet comets, Duration removeAfter, LongSupplier nanoClock, JobMeters.Discovery meters) {
        this.source = source;
        this.channel = channel;
        this.comets = comets;
        this.removeAfterNanos = removeAfter.toNanos();
        this.nanoClock = nanoClock;
        this.ok = meters.pollsOk();
        this.failed = meters.pollsFailed();
    }

    /**
     * A watcher asking the logics at {@code logic} over gRPC, each call with {@code deadline}
     * and timed by {@code rpc}.
     */
    public static CometWatcher overGrpc(List<HostPort> logic, PeerAuth auth, Duration deadline, CometSet comets,
            Duration removeAfter, JobMeters.Discovery meters, ClientInterceptor rpc) {
        ManagedChannel channel = GrpcChannels.channelDirect(logic, LogicGrpc.SERVICE_NAME, true, auth);
        LogicGrpc.LogicFutureStub stub = LogicGrpc.newFutureStub(channel)
                .withInterceptors(rpc);
        Supplier<CompletableFuture<List<CometInstance>>> source = () -> Futures.of(stub
                .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).comets(Empty.getDefaultInstance()))
                .thenApply(CometsReply::getCometsList);
        return new CometWatcher(source, channel, comets, removeAfter, System::nanoTime, meters);
    }

    /** Polls now, then every {@code interval} after each answer. */
    public void start(Duration interval) {
        timer.scheduleWithFixedDelay(this::pollOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Comets followed from discovery now (besides job.comets). */
    public int followedCount() {
        return followed.size();
    }

    /** One poll, waiting for its answer; package-private for tests. */
    void pollOnce() {
        List<CometInstance> announced;
        try {
            announced = source.get().join();
        } catch (RuntimeException e) {
            failed.increment();
            failureLog.warn("asking logic for the comets failed (keeping the {} known): {}", followed.size(),
                    e.getCause() != null ? e.getCause().toString() : e.toString());
            return;
        }
        ok.increment();
        seen(announced);
    }

    /** Follows one answer of the store. */
    void seen(List<CometInstance> announced) {
        long now = nanoClock.getAsLong();
        Map<Integer, HostPort> next = new HashMap<>();
        for (CometInstance c : announced) {
            try {
                next.put(c.getServer(), HostPort.parse("comet " + c.getServer() + " grpc", c.getGrpc()));
            } catch (RuntimeException e) {
                failureLog.warn("comet {} announced an unusable gRPC address {}: ignored", c.getServer(), c.getGrpc());
            }
        }
        missingSince.keySet().retainAll(followed.keySet());
        for (Map.Entry<Integer, HostPort> e : followed.entrySet()) {
            if (next.containsKey(e.getKey())) {
                missingSince.remove(e.getKey());
                continue;
            }
            long since = missingSince.computeIfAbsent(e.getKey(), id -> now);
            if (now - since < removeAfterNanos) {
                next.put(e.getKey(), e.getValue()); // not long enough to be sure it is gone
            }
        }
        missingSince.keySet().retainAll(next.keySet());
        followed = Map.copyOf(next);
        comets.follow(followed);
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
        if (channel != null) {
            GrpcChannels.close(channel, Duration.ofSeconds(2));
        }
    }
}
