package io.goim.logic.session;

import io.goim.libs.batch.CallCoalescer;
import io.goim.logic.LogicMeters;
import io.goim.protocol.SubKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The user lookups of concurrent pushes, merged: per shard of the session store, one
 * lookup in flight; the requests that arrive meanwhile wait and go together in the next
 * one, and each gets back only its own users' connections. At idle a request's lookup
 * leaves at once; under load the number of store calls stays bounded by the store's
 * answer time instead of growing with the request rate (a router answered a
 * thousand-user MGet for about the CPU of a one-user one).
 *
 * <pre>
 *  request A: users 1, 7      ─┐
 *  request B: user 9           ├─► shard 1: lookup(1, 7, 9, 12) ─► A gets 1's and 7's connections,
 *  request C: user 12         ─┘                                    B 9's, C 12's
 * </pre>
 *
 * Merged per shard, not across shards, so a shard that is down or slow fails or delays
 * only the requests that need it, as without merging. A lookup carries at most
 * {@code maxUsers} users (at least one request's); a failed lookup fails every request
 * in it with its error. Meters: {@code goim_logic_lookups_total} (store lookups) and
 * {@code goim_logic_lookup_requests_total} (requests they served), by shard.
 *
 * <p>Thread-safe: each shard is guarded by its own monitor; store calls are made outside it.
 */
public final class LookupBatcher {
    private final SessionLookups store;
    private final int maxUsers;
    private final LogicMeters meters;
    private final Map<Integer, Shard> shards = new ConcurrentHashMap<>();

    /** Counts on {@code meters}' lookup counters, a pair per shard. */
    public LookupBatcher(SessionLookups store, int maxUsers, LogicMeters meters) {
        this.store = store;
        this.maxUsers = maxUsers;
        this.meters = meters;
    }

    /** As {@link SessionLookups#lookup}: the connections of {@code userIds} and the incarnations of their shards. */
    public CompletableFuture<SessionStore.Lookup> lookup(Collection<Long> userIds) {
        // Each user once: a store answers a user's connections once per time it is asked.
        Map<Integer, Set<Long>> byShard = new LinkedHashMap<>();
        for (long uid : userIds) {
            byShard.computeIfAbsent(store.shardOf(uid), s -> new LinkedHashSet<>()).add(uid);
        }
        if (byShard.size() == 1) {
            Map.Entry<Integer, Set<Long>> only = byShard.entrySet().iterator().next();
            return shard(only.getKey()).lookup(only.getValue());
        }
        List<CompletableFuture<SessionStore.Lookup>> parts = new ArrayList<>(byShard.size());
        byShard.forEach((s, users) -> parts.add(shard(s).lookup(users)));
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<Integer, List<String>> byServer = new HashMap<>();
            Map<Integer, Long> incarnations = new HashMap<>();
            for (CompletableFuture<SessionStore.Lookup> p : parts) {
                SessionStore.Lookup l = p.join();
                l.byServer().forEach((server, keys) -> byServer.computeIfAbsent(server, k -> new ArrayList<>()).addAll(keys));
                incarnations.putAll(l.incarnations());
            }
            return new SessionStore.Lookup(byServer, incarnations);
        });
    }

    private Shard shard(int id) {
        return shards.computeIfAbsent(id, Shard::new);
    }

    /** One request waiting for its shard's next lookup; its users are distinct. */
    private record Waiting(Set<Long> users, CompletableFuture<SessionStore.Lookup> result) {
    }

    /** The requests of one shard: one lookup in flight, the rest waiting ({@link CallCoalescer}). */
    private final class Shard {
        private final CallCoalescer<Waiting, SessionStore.Lookup> lookups;

        Shard(int id) {
            LogicMeters.Lookups counted = meters.lookups(store.shardName(id));
            lookups = new CallCoalescer<>(maxUsers, w -> w.users().size(), batch -> {
                // A user several requests push to is looked up once; each of them gets its connections.
                Set<Long> users = new LinkedHashSet<>();
                for (Waiting w : batch) {
                    users.addAll(w.users());
                }
                counted.lookups().increment();
                counted.requests().increment(batch.size());
                return store.lookup(new ArrayList<>(users));
            }, LookupBatcher::answer);
        }

        CompletableFuture<SessionStore.Lookup> lookup(Set<Long> users) {
            Waiting w = new Waiting(users, new CompletableFuture<>());
            lookups.add(w);
            return w.result();
        }
    }

    /** Completes each request of {@code batch} with its own users' part of {@code l}, or with {@code error}. */
    private static void answer(List<Waiting> batch, SessionStore.Lookup l, Throwable error) {
        if (error != null) {
            for (Waiting w : batch) {
                w.result().completeExceptionally(error);
            }
            return;
        }
        if (batch.size() == 1) {
            batch.get(0).result().complete(l);
            return;
        }
        // Each user's connections, once; then each request takes its users'.
        Map<Long, List<Map.Entry<Integer, String>>> byUser = new HashMap<>();
        l.byServer().forEach((server, keys) -> {
            for (String k : keys) {
                byUser.computeIfAbsent(SubKey.decode(k).userId(), u -> new ArrayList<>()).add(Map.entry(server, k));
            }
        });
        for (Waiting w : batch) {
            Map<Integer, List<String>> mine = new HashMap<>();
            for (long uid : w.users()) {
                for (Map.Entry<Integer, String> e : byUser.getOrDefault(uid, List.of())) {
                    mine.computeIfAbsent(e.getKey(), s -> new ArrayList<>()).add(e.getValue());
                }
            }
            w.result().complete(new SessionStore.Lookup(mine, l.incarnations()));
        }
    }
}
