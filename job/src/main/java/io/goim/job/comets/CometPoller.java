package io.goim.job.comets;

import io.goim.libs.log.RateLimitedLog;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls every comet every {@code job.comet-poll}: a comet marked stalled after its pushes
 * got no answer for {@code job.comet-stall-limit} ({@link CometClient}) is taken back by
 * the first answer, and the channel of one that does not answer is told to reconnect now
 * rather than after gRPC's growing backoff. So a comet that comes back is used again
 * within about one poll, without a restart.
 *
 * <p>Room messages go to every comet (as goim v2 does), not only to those that last said
 * they host the room, so a client that joined a room before a push was accepted receives
 * it on whatever comet it is; a comet without members of the room writes nothing.
 *
 * <p>Thread-safe.
 */
public final class CometPoller {
    private static final Logger log = LoggerFactory.getLogger(CometPoller.class);

    private final Supplier<Collection<CometClient>> comets;
    private final Duration deadline;
    private final Counter failures;
    private final RateLimitedLog failedLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);

    public CometPoller(Supplier<Collection<CometClient>> comets, Duration deadline, Counter failures) {
        this.comets = comets;
        this.deadline = deadline;
        this.failures = failures;
    }

    /** Health-checks every comet; completes when every answer or failure is in. Never fails. */
    public CompletableFuture<Void> poll() {
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (CometClient c : comets.get()) {
            CompletableFuture<?> call;
            try {
                // Any answer, SERVING or not, means the comet is reachable: pushes to it may go on.
                call = c.health(deadline).whenComplete((reply, error) -> {
                    c.polled(error == null);
                    if (error != null) {
                        failures.increment();
                        failedLog.warn("comet {}: no answer to the poll: {}", c.id(), error.toString());
                    }
                });
            } catch (RuntimeException e) { // channel already shut down
                call = CompletableFuture.completedFuture(null);
            }
            calls.add(call.exceptionally(e -> null));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
    }
}
