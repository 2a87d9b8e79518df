package io.goim.comet.cluster;

import io.goim.libs.log.RateLimitedLog;
import io.goim.proto.CometInstance;
import io.micrometer.core.instrument.Counter;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces this comet to logic (docs/operations.md, "Comet discovery"): at start, then
 * every {@code comet.discovery.announce-interval}, {@code Logic.Announce} with its
 * addresses, weight, connections and CPU load (smoothed, {@link CpuLoad}), and the time to live
 * {@code comet.discovery.ttl}: logic keeps the announcement in the session store, job
 * pushes to every comet announced there and the nodes API sends clients to them. A comet
 * that dies stops announcing and disappears from them one ttl later.
 *
 * <p>Stopping is in two steps: {@link #draining} re-announces with {@code draining = true}
 * (the nodes API sends no new client; job still pushes to the clients being drained) and
 * {@link #withdraw} removes the announcement once they are gone.
 *
 * <p>Not the renew path ({@link SessionRenewer}): that one vouches for every connection
 * every few minutes, in batches, and a comet must be found within seconds; an announcement
 * is one small call. A failed announcement is counted
 * ({@code goim_comet_announcements_total{outcome="failed"}}), logged at most once per 30 s,
 * and simply repeated at the next interval.
 *
 * <p>Thread-safe. Announcements go out from the announcer's own thread, one at a time.
 */
public final class CometAnnouncer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CometAnnouncer.class);

    private final CometInstance template;
    private final IntSupplier connections;
    private final IntSupplier clientAddresses;
    private final DoubleSupplier cpu;
    private final Function<CometInstance, CompletableFuture<?>> announce;
    private final Function<Long, CompletableFuture<?>> withdraw;
    private final Duration deadline;
    private final Counter ok;
    private final Counter failed;
    private final RateLimitedLog failureLog = new RateLimitedLog(log, 30, TimeUnit.SECONDS);
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("comet-announce", true));
    private volatile boolean draining;

    /**
     * @param template the announcement without load: server, incarnation, addresses, weight, ttl
     * @param cpu the process CPU load to announce, 0..1, -1 when unknown (sampled once per announcement)
     * @param withdraw withdraws the announcement of the given incarnation
     * @param deadline how long {@link #draining} and {@link #withdraw} wait for logic
     */
    public CometAnnouncer(CometInstance template, IntSupplier connections, IntSupplier clientAddresses,
            DoubleSupplier cpu, Function<CometInstance, CompletableFuture<?>> announce, Function<Long, CompletableFuture<?>> withdraw,
            Duration deadline, Counter ok, Counter failed) {
        this.template = template;
        this.connections = connections;
        this.clientAddresses = clientAddresses;
        this.cpu = cpu;
        this.announce = announce;
        this.withdraw = withdraw;
        this.deadline = deadline;
        this.ok = ok;
        this.failed = failed;
    }

    /** Announces now, then every {@code interval}. */
    public void start(Duration interval) {
        timer.scheduleWithFixedDelay(this::announceOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        log.info("comet {} announces itself every {} ms (ttl {} ms): tcp {}, websocket {}, push gRPC {}",
                template.getServer(), interval.toMillis(), template.getTtlMs(), template.getTcpList(),
                template.getWebsocketList(), template.getGrpc());
    }

    /** The announcement as it would go out now. */
    CometInstance current() {
        return template.toBuilder()
                .setConnections(connections.getAsInt())
                .setClientAddresses(clientAddresses.getAsInt())
                .setCpu(cpu.getAsDouble())
                .setDraining(draining)
                .build();
    }

    private void announceOnce() {
        try {
            // Waits for the answer (bounded by logic's deadline) so announcements never pile up.
            announce.apply(current()).handle((v, error) -> {
                if (error == null) {
                    ok.increment();
                } else {
                    failed.increment();
                    failureLog.warn("announcement to logic failed (repeated every interval): {}", error.toString());
                }
                return null;
            }).join();
        } catch (RuntimeException e) {
            failed.increment();
            failureLog.warn("announcement to logic failed: {}", e.toString());
        }
    }

    /**
     * Re-announces as draining, at once, waiting for logic at most the deadline: the nodes
     * API stops sending clients here while job keeps pushing to those being drained.
     */
    public void draining() {
        draining = true;
        try {
            timer.submit(this::announceOnce).get(deadline.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            failureLog.warn("draining announcement not confirmed: {}", e.toString());
        }
    }

    /** Stops announcing and withdraws, waiting for logic at most the deadline; job then stops calling. */
    public void withdraw() throws InterruptedException {
        close();
        try {
            withdraw.apply(template.getIncarnation()).get(deadline.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            log.info("comet {} withdrew its announcement", template.getServer());
        } catch (Exception e) {
            failed.increment();
            failureLog.warn("withdrawal not confirmed (the announcement expires after its ttl): {}", e.toString());
        }
    }

    /** Stops announcing (without withdrawing). */
    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(deadline.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    }
}
