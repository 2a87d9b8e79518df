package io.goim.job;

import io.goim.libs.grpc.Futures;
import io.goim.libs.log.RateLimitedLog;
import io.goim.proto.RoomsReq;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which comets host which rooms, so a room's messages go only to the comets that have
 * a member in it (goim's behaviour). {@link #refresh} asks every comet for its rooms
 * (the Rooms RPC) and is run every {@code job.room.refresh}.
 *
 * <p>Choices, explained in {@code docs/delivery.md}:
 * <ul>
 *   <li>a comet that has never answered yet receives every room's messages, so nothing
 *       is lost while job starts or while a comet is first reached;</li>
 *   <li>a comet that does not answer one refresh keeps the rooms of its last answer
 *       (skipped for that refresh, counted, not fatal);</li>
 *   <li>a client that joins a room on a comet that did not host it yet receives that
 *       room's messages from the next refresh on, at most one refresh period later.</li>
 * </ul>
 *
 * <p>Thread-safe: each comet's room set is replaced whole.
 */
final class RoomDirectory {
    private static final Logger log = LoggerFactory.getLogger(RoomDirectory.class);

    private final Collection<CometClient> comets;
    private final Duration deadline;
    private final JobCounters counters;
    /** Comet id → rooms it hosted at its last successful refresh; absent until then. */
    private final Map<Integer, Set<Integer>> roomsByComet = new ConcurrentHashMap<>();
    private final RateLimitedLog failedLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);

    RoomDirectory(Collection<CometClient> comets, Duration deadline, JobCounters counters) {
        this.comets = comets;
        this.deadline = deadline;
        this.counters = counters;
    }

    /** The comets that should receive a message for {@code room}. */
    List<CometClient> cometsFor(int room) {
        List<CometClient> result = new ArrayList<>(comets.size());
        for (CometClient c : comets) {
            Set<Integer> rooms = roomsByComet.get(c.id());
            if (rooms == null || rooms.contains(room)) {
                result.add(c);
            }
        }
        return result;
    }

    /** Asks every comet for its rooms; completes when every answer or failure is in. Never fails. */
    CompletableFuture<Void> refresh() {
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (CometClient c : comets) {
            CompletableFuture<?> call;
            try {
                call = Futures.of(c.stub(deadline).rooms(RoomsReq.getDefaultInstance())).whenComplete((reply, error) -> {
                    if (error == null) {
                        roomsByComet.put(c.id(), Set.copyOf(reply.getRoomIdsList()));
                        c.reachable(true);
                    } else {
                        counters.roomRefreshFailures.increment();
                        c.reachable(false);
                        failedLog.warn("comet {}: rooms refresh failed, keeping its last room list: {}", c.id(), error.toString());
                    }
                });
            } catch (RuntimeException e) { // channel already shut down
                call = CompletableFuture.completedFuture(null);
            }
            calls.add(call.exceptionally(e -> null));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
    }
}
