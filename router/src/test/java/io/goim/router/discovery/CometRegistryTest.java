package io.goim.router.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.proto.CometInstance;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The router's comet registry: a time to live on its own clock, matching withdrawals, a bound. */
class CometRegistryTest {
    private final AtomicLong clock = new AtomicLong(1_000);
    private final CometRegistry registry = new CometRegistry(2, clock::get);

    private static CometInstance comet(int server, long incarnation, int connections) {
        return CometInstance.newBuilder().setServer(server).setIncarnation(incarnation).setGrpc("127.0.0.1:9")
                .setConnections(connections).setTtlMs(10_000).build();
    }

    private void advanceMillis(long ms) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void anAnnouncementLivesForItsTtlAndIsRenewedByTheNext() {
        registry.announce(comet(1, 11, 0));
        advanceMillis(9_000);
        List<CometInstance> listed = registry.list();
        assertEquals(1, listed.size());
        assertEquals(9_000, listed.get(0).getAgeMs());
        registry.announce(comet(1, 11, 5)); // renewed with its new load
        advanceMillis(9_000);
        assertEquals(5, registry.list().get(0).getConnections());
        advanceMillis(1_000);
        assertTrue(registry.list().isEmpty(), "expired 10 s after the last announcement");
        assertEquals(0, registry.size(), "and dropped from the map");
    }

    @Test
    void aWithdrawalOfAnEarlierProcessLeavesTheNewOne() {
        registry.announce(comet(1, 22, 0)); // the restarted comet 1
        assertFalse(registry.withdraw(1, 11), "late withdrawal of the process it replaced");
        assertEquals(1, registry.list().size());
        assertTrue(registry.withdraw(1, 22));
        assertTrue(registry.list().isEmpty());
        registry.announce(comet(1, 33, 0));
        assertTrue(registry.withdraw(1, 0), "0 removes whatever process holds the id");
    }

    @Test
    void newIdsPastTheBoundAreRefusedUntilOneExpires() {
        assertEquals(CometRegistry.Announced.STORED, registry.announce(comet(1, 1, 0)));
        assertEquals(CometRegistry.Announced.STORED, registry.announce(comet(2, 1, 0)));
        assertEquals(CometRegistry.Announced.FULL, registry.announce(comet(3, 1, 0)));
        assertEquals(CometRegistry.Announced.STORED, registry.announce(comet(2, 1, 7)), "a known id is renewed");
        advanceMillis(10_000);
        assertEquals(CometRegistry.Announced.STORED, registry.announce(comet(3, 1, 0)), "room once the others expired");
    }
}
