package io.goim.router;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link SessionStore#expire} every clean interval on its own daemon thread, so
 * connections whose comet stopped vouching for them (crash, lost Disconnect) are
 * forgotten and every counter follows.
 *
 * <p>Thread-safe; {@link #close} stops it.
 */
final class Cleaner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Cleaner.class);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "router-cleaner");
        t.setDaemon(true);
        return t;
    });

    Cleaner(SessionStore store, Duration interval) {
        timer.scheduleWithFixedDelay(() -> {
            try {
                int n = store.expire();
                if (n > 0) {
                    log.info("cleaner forgot {} expired connections ({} since start)", n, store.expiredTotal());
                }
            } catch (RuntimeException e) {
                log.error("cleaner run failed", e);
            }
        }, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(5, TimeUnit.SECONDS);
    }
}
