package io.goim.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.goim.router.session.Cleaner;
import io.goim.router.session.SessionStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The cleaner counts the connections it forgets in goim_router_sessions_expired_total. */
class CleanerTest {
    private final AtomicLong now = new AtomicLong();
    private final SessionStore store = new SessionStore(8, Duration.ofHours(1), now::get);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void everyExpiredConnectionIsCounted() throws Exception {
        // An interval of a day: the timer never runs here, each run is the test's call.
        try (Cleaner cleaner = new Cleaner(store, Duration.ofDays(1), new RouterMeters(registry).sessionsExpired)) {
            store.put(1, 1, "7");
            store.put(2, 1, "7");
            now.addAndGet(Duration.ofMinutes(30).toNanos());
            store.put(3, 2, "");
            assertEquals(0, cleaner.clean());
            assertEquals(0.0, expired());

            now.addAndGet(Duration.ofMinutes(30).toNanos());
            assertEquals(2, cleaner.clean(), "users 1 and 2 are an hour old");
            assertEquals(2.0, expired());

            now.addAndGet(Duration.ofMinutes(30).toNanos());
            assertEquals(1, cleaner.clean());
            assertEquals(3.0, expired(), "the count goes on from run to run");
            assertEquals(0, store.count());
        }
    }

    private double expired() {
        return registry.get("goim_router_sessions_expired").counter().count();
    }
}
