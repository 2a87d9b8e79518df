package io.goim.comet.cluster;

import io.goim.comet.CometMeters;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** When the routers' epoch asks for a renew of every connection. */
class RouterEpochWatchTest {
    @Test
    void renewsOnTheFirstEpochAndOnEveryChangeButNotForZeroOrTheSameEpoch() throws Exception {
        AtomicInteger renews = new AtomicInteger();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (RouterEpochWatch watch = new RouterEpochWatch(() -> new CompletableFuture<>(), renews::incrementAndGet,
                Duration.ofHours(1), new CometMeters(registry).routerEpochChanges)) {
            watch.seen(0);
            assertEquals(0, renews.get(), "0: logic has not asked the routers yet");
            watch.seen(41);
            assertEquals(1, renews.get(), "first epoch: a router may have restarted since this comet started");
            watch.seen(41);
            assertEquals(1, renews.get());
            watch.seen(-7);
            assertEquals(2, renews.get(), "a router restarted");
            assertEquals(1.0, registry.get("goim_comet_router_epoch_changes").counter().count());
        }
    }
}
