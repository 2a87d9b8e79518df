package io.goim.job.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** goim v2's broadcast speed is divided among the comets, as its job does (speed / comets), never to 0. */
class BroadcastSpeedTest {
    @Test
    void theSpeedIsDividedAmongTheCometsAndNeverBecomesNoLimit() {
        assertEquals(500, Dispatcher.cometSpeed(1000, 2));
        assertEquals(333, Dispatcher.cometSpeed(1000, 3));
        assertEquals(1, Dispatcher.cometSpeed(2, 5), "at least 1 a second: 0 would mean no limit");
        assertEquals(0, Dispatcher.cometSpeed(0, 2), "0 stays no limit");
        assertEquals(0, Dispatcher.cometSpeed(-5, 2));
        assertEquals(0, Dispatcher.cometSpeed(100, 0));
    }
}
