package io.goim.comet.cluster;

import io.goim.libs.log.RateLimitedLog;
import io.micrometer.core.instrument.Counter;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls logic for the routers' epoch ({@code Logic.RouterEpoch}, every
 * {@code comet.router-epoch-poll}) and, when it changes, asks for a renew of every
 * connection at once: a router restarted empty (or came back after it did not answer)
 * and relearns this comet's connections from that renew, within seconds rather than at
 * the next {@code renew-interval}. See docs/router-sessions.md.
 *
 * <p>The first answer counts as a change too: a router may have restarted between this
 * comet's start and its first answer, and a renew right after start costs little (the
 * first poll goes out at start, before clients have logged in). A failed poll (logic down) changes nothing: the epoch is compared
 * again at the next answer, and logic computes it from the routers alone, so a restarted
 * or another logic gives the same value.
 *
 * <p>Thread-safe. Polls are asynchronous; the answer is handled on a gRPC thread, which
 * only hands the renew to the renewer's own thread.
 */
public final class RouterEpochWatch implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RouterEpochWatch.class);

    private final Supplier<CompletableFuture<Long>> poll;
    private final Runnable renewAll;
    private final Counter changes;
    private final RateLimitedLog failureLog = new RateLimitedLog(log, 60, TimeUnit.SECONDS);
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("comet-router-epoch", true));
    private long known; // guarded by this; 0: no answer yet

    public RouterEpochWatch(Supplier<CompletableFuture<Long>> poll, Runnable renewAll, Duration interval,
            Counter changes) {
        this.poll = poll;
        this.renewAll = renewAll;
        this.changes = changes;
        long millis = interval.toMillis();
        // The first poll at once: at start the comet holds (almost) no connections, so the
        // renew a first answer triggers costs nothing; one second later a comet restarted
        // under load would be renewing thousands of fresh logins while the rest log in.
        timer.scheduleWithFixedDelay(this::pollOnce, 0, millis, TimeUnit.MILLISECONDS);
    }

    private void pollOnce() {
        try {
            // waits for the answer (bounded by logic-timeout) so polls never pile up
            poll.get().handle((epoch, error) -> {
                if (error != null) {
                    failureLog.warn("router epoch poll failed: {}", error.toString());
                } else {
                    seen(epoch);
                }
                return null;
            }).join();
        } catch (RuntimeException e) {
            failureLog.warn("router epoch poll failed: {}", e.toString());
        }
    }

    /** Handles one answer; package-private for tests. */
    void seen(long epoch) {
        boolean first;
        synchronized (this) {
            if (epoch == 0 || epoch == known) {
                return; // 0: logic has not asked every router yet
            }
            first = known == 0;
            known = epoch;
        }
        if (!first) {
            changes.increment();
            log.info("router epoch changed (a router restarted or came back): renewing every connection now");
        }
        renewAll.run();
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(2, TimeUnit.SECONDS);
    }
}
