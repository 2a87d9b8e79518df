package io.goim.comet.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PassRestTest {
    private static final long MS = 1_000_000;

    @Test
    void aShortRoundRestsInProportionAndALongOneOnlyUntilTheCycleEnds() {
        PassRest rest = new PassRest(1.0, Duration.ofMillis(200));
        assertEquals(60 * MS, rest.afterNanos(60 * MS), "a short round: as long again");
        assertEquals(70 * MS, rest.afterNanos(130 * MS), "the next round starts 200 ms after this one began");
        assertTrue(rest.afterNanos(240 * MS) <= 0, "a round longer than the cycle earns no rest");
        assertEquals(30 * MS, new PassRest(0.5, Duration.ofMillis(200)).afterNanos(60 * MS));
    }

    @Test
    void aZeroRatioOrCycleMeansNoRestAndNegativesAreRefused() {
        assertTrue(new PassRest(0, Duration.ofMillis(200)).none());
        assertTrue(new PassRest(1, Duration.ZERO).none());
        assertTrue(!new PassRest(1, Duration.ofMillis(1)).none());
        assertThrows(IllegalArgumentException.class, () -> new PassRest(-1, Duration.ofMillis(200)));
        assertThrows(IllegalArgumentException.class, () -> new PassRest(1, Duration.ofMillis(-1)));
    }
}
