package io.goim.router.session;

import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link SessionStore#expire} every clean interval on its own daemon thread, so
 * connections whose comet stopped vouching for them (crash, lost Disconnect) are
 * forgotten and every counter follows; counts what it forgot in {@code expired}.
 *
 * <p>Thread-safe; {@link #close} stops it.
 */
public final class Cleaner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Cleaner.class);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "router-cleaner");
        t.setDaemon(true);
        return t;
    });
    private final SessionStore store;
    private final Counter expired;

    public Cleaner(SessionStore store, Duration interval, Counter expired) {
        this.store = store;
        this.expired = expired;
        timer.scheduleWithFixedDelay(() -> {
            try {
                clean();
            } catch (RuntimeException e) {
                log.error("cleaner run failed", e);
            }
        }, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** One run: forgets the expired connections and counts them; returns how many. */
    public int clean() {
        int n = store.expire();
        if (n > 0) {
            expired.increment(n);
            log.info("cleaner forgot {} expired connections ({} since start)", n, (long) expired.count());
        }
        return n;
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
    }
}
