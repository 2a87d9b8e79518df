package io.goim.libs.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InFlightTest {
    @Test
    void awaitIdleReturnsWhenTheLastUnitEndsOrFalseAtTheBound() throws Exception {
        InFlight work = new InFlight();
        assertTrue(work.awaitIdle(Duration.ZERO), "nothing started: idle at once");
        work.begin();
        work.begin();
        assertEquals(2, work.count());
        assertFalse(work.awaitIdle(Duration.ofMillis(20)), "bounded while work is in flight");

        CompletableFuture<Boolean> idle = CompletableFuture.supplyAsync(() -> {
            try {
                return work.awaitIdle(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        work.end();
        assertEquals(1, work.count());
        work.end();
        assertTrue(idle.get(10, TimeUnit.SECONDS), "woken by the last end");
        assertEquals(0, work.count());
    }
}
