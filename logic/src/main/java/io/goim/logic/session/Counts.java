package io.goim.logic.session;

import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Online counts per room and per comet server, refreshed from the session store (all routers, or Redis) on an interval
 * and served to {@code /1/count} from the last snapshot, as goim does: counting never
 * costs a store call per HTTP request.
 *
 * <p>Thread-safe: the snapshot is replaced atomically.
 */
public final class Counts {
    private static final Logger log = LoggerFactory.getLogger(Counts.class);

    /** One consistent snapshot. */
    public record Snapshot(Map<String, Integer> rooms, Map<Integer, Integer> servers) {
    }

    private final SessionStore routers;
    private final AtomicReference<Snapshot> current = new AtomicReference<>(new Snapshot(Map.of(), Map.of()));

    public Counts(SessionStore routers) {
        this.routers = routers;
    }

    /** Starts refreshing every {@code intervalMillis} on {@code timer}. */
    public void start(ScheduledExecutorService timer, long intervalMillis) {
        timer.scheduleWithFixedDelay(this::refresh, 0, intervalMillis, TimeUnit.MILLISECONDS);
    }

    public Snapshot snapshot() {
        return current.get();
    }

    private void refresh() {
        routers.allRoomCount().thenCombine(routers.allServerCount(), Snapshot::new).whenComplete((s, e) -> {
            if (e != null) {
                log.debug("count refresh failed, keeping the last snapshot: {}", e.toString());
            } else {
                current.set(s);
            }
        });
    }
}
