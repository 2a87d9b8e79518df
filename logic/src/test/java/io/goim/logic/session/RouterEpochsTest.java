package io.goim.logic.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.logic.LogicMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What changes the router epoch and opens a heal window, on a virtual clock. */
class RouterEpochsTest {
    private final AtomicLong clock = new AtomicLong(1_000);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RouterEpochs epochs = new RouterEpochs(null, 2, Duration.ofSeconds(10), clock::get,
            new LogicMeters(registry).routerRestarts);

    private double restarts() {
        return registry.get("goim_logic_router_restarts").counter().count();
    }

    @Test
    void theEpochIsUnknownUntilEveryRouterHasAnsweredOnce() {
        epochs.observe(1, 11);
        epochs.observe(2, 0); // slow to answer the first round
        assertEquals(0, epochs.epoch(), "comets wait instead of seeing a change when router 2 answers");
        epochs.observe(2, 33);
        assertNotEquals(0, epochs.epoch());
        assertFalse(epochs.healing(2), "a first answer is not a restart");
        assertEquals(0, restarts());
    }

    @Test
    void aRouterThatStaysDownDoesNotHideTheOthersPastOneHealWindow() {
        epochs.observe(1, 11);
        epochs.observe(2, 0);
        assertEquals(0, epochs.epoch());
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        epochs.observe(2, 0); // the next watch round
        long epoch = epochs.epoch();
        assertNotEquals(0, epoch, "router 1 alone makes the epoch now");

        epochs.observe(1, 12); // router 1 restarts while router 2 is still down

        assertNotEquals(epoch, epochs.epoch(), "comets hear of it");
        assertTrue(epochs.healing(1));
    }

    @Test
    void aNewIncarnationChangesTheEpochAndHealsForTheWindow() {
        epochs.observe(1, 11);
        epochs.observe(2, 33);
        long before = epochs.epoch();
        assertNotEquals(0, before);
        assertFalse(epochs.healing(1), "the first sighting is not a restart");
        assertEquals(0, restarts());

        epochs.observe(1, 22);

        assertNotEquals(before, epochs.epoch());
        assertTrue(epochs.healing(1));
        assertEquals(1, restarts());
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        assertFalse(epochs.healing(1), "the window is over");
    }

    @Test
    void aRouterThatMissesRoundsAndAnswersAgainWithTheSameIncarnationChangesNothing() {
        epochs.observe(1, 11);
        epochs.observe(2, 33);
        long epoch = epochs.epoch();
        assertNotEquals(0, epoch);

        epochs.observe(1, 0); // a busy router misses a round or two
        epochs.observe(1, 0);
        assertEquals(epoch, epochs.epoch(), "a silent router keeps its last incarnation in the epoch");
        epochs.observe(1, 11);

        assertEquals(epoch, epochs.epoch(), "same incarnation: its sessions are intact, comets renew nothing");
        assertFalse(epochs.healing(1));
        assertEquals(0, restarts());
    }

    @Test
    void aRouterThatWasAwayAndComesBackEmptyIsARestart() {
        epochs.observe(1, 11);
        epochs.observe(2, 33);
        long epoch = epochs.epoch();
        epochs.observe(1, 0);

        epochs.observe(1, 44);

        assertNotEquals(epoch, epochs.epoch());
        assertTrue(epochs.healing(1));
        assertFalse(epochs.healing(2), "only that router heals");
        assertEquals(1, restarts());
    }
}
