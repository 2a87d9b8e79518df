package io.goim.router.discovery;

import io.goim.proto.CometInstance;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The comets announced to this router (docs/operations.md, "Comet discovery"): one
 * announcement per server id, kept for its {@code ttl_ms} after it arrived on this router's
 * clock, replaced by the next one, removed by a matching Withdraw. Expired entries are
 * dropped when the list is read, so the map holds at most {@code maxComets} entries plus
 * what expired since the last read; an announcement of a new id past the bound is refused.
 *
 * <p>Thread-safe.
 */
public final class CometRegistry {
    private record Entry(CometInstance instance, long storedNanos, long expiresNanos) {
    }

    /** What {@link #announce} did. */
    public enum Announced { STORED, FULL }

    private final Map<Integer, Entry> comets = new ConcurrentHashMap<>();
    private final int maxComets;
    private final LongSupplier nanoClock;

    public CometRegistry(int maxComets, LongSupplier nanoClock) {
        this.maxComets = maxComets;
        this.nanoClock = nanoClock;
    }

    /** Stores {@code instance} (server > 0 and ttl_ms > 0, checked by the caller) for its ttl. */
    public Announced announce(CometInstance instance) {
        long now = nanoClock.getAsLong();
        Entry entry = new Entry(instance.toBuilder().clearAgeMs().build(), now,
                now + TimeUnit.MILLISECONDS.toNanos(instance.getTtlMs()));
        if (!comets.containsKey(instance.getServer()) && comets.size() >= maxComets) {
            dropExpired(now);
            if (comets.size() >= maxComets) {
                return Announced.FULL;
            }
        }
        comets.put(instance.getServer(), entry);
        return Announced.STORED;
    }

    /** Removes {@code server}'s announcement when its incarnation is {@code incarnation} (0: any); true if removed. */
    public boolean withdraw(int server, long incarnation) {
        Entry[] removed = new Entry[1];
        comets.computeIfPresent(server, (id, e) -> {
            if (incarnation == 0 || e.instance().getIncarnation() == incarnation) {
                removed[0] = e;
                return null;
            }
            return e;
        });
        return removed[0] != null;
    }

    /** The announcements not expired, each with {@code age_ms} set. */
    public List<CometInstance> list() {
        long now = nanoClock.getAsLong();
        dropExpired(now);
        List<CometInstance> out = new ArrayList<>(comets.size());
        for (Entry e : comets.values()) {
            if (e.expiresNanos() - now > 0) {
                out.add(e.instance().toBuilder()
                        .setAgeMs(TimeUnit.NANOSECONDS.toMillis(now - e.storedNanos())).build());
            }
        }
        return out;
    }

    /** Announcements held (expired ones included until the next read). */
    public int size() {
        return comets.size();
    }

    private void dropExpired(long now) {
        for (Iterator<Entry> it = comets.values().iterator(); it.hasNext(); ) {
            if (it.next().expiresNanos() - now <= 0) {
                it.remove();
            }
        }
    }
}
