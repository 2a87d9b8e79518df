package io.goim.logic.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.logic.LogicMeters;
import io.goim.protocol.SubKey;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The merging of concurrent lookups, against a store whose lookups the test answers by
 * hand: user {@code u} lives on shard {@code u % 10 == 2 ? 2 : 1} with one connection
 * {@code "<u>_1"} on comet {@code u % 3}. (The stores themselves are tested against a real
 * router and a real redis-server.)
 */
class LookupBatcherTest {
    /** Every lookup the store was asked for, in order, with the future the test completes. */
    private final List<Call> calls = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LookupBatcher batcher = new LookupBatcher(new HandStore(), 5, new LogicMeters(registry));

    private record Call(List<Long> users, CompletableFuture<SessionStore.Lookup> result) {
        void answer() {
            Map<Integer, List<String>> byServer = new HashMap<>();
            for (long u : users) {
                byServer.computeIfAbsent((int) (u % 3), s -> new ArrayList<>()).add(SubKey.encode(u, 1));
            }
            result.complete(new SessionStore.Lookup(byServer, Map.of(1, 77L)));
        }
    }

    private static List<Long> usersOf(SessionStore.Lookup l) {
        List<Long> out = new ArrayList<>();
        l.byServer().forEach((server, keys) -> keys.forEach(k -> {
            long u = SubKey.decode(k).userId();
            assertEquals(u % 3, (long) server, "key " + k + " under its comet");
            out.add(u);
        }));
        out.sort(null);
        return out;
    }

    @Test
    void atIdleALookupLeavesAtOnceAndItsAnswerPassesThrough() throws Exception {
        CompletableFuture<SessionStore.Lookup> a = batcher.lookup(List.of(1L, 4L));
        assertEquals(1, calls.size());
        assertEquals(List.of(1L, 4L), calls.get(0).users());
        calls.get(0).answer();
        assertEquals(List.of(1L, 4L), usersOf(a.get()));
        assertEquals(Map.of(1, 77L), a.get().incarnations());
    }

    @Test
    void requestsThatArriveWhileALookupIsOutGoTogetherAndEachGetsOnlyItsOwnUsers() throws Exception {
        CompletableFuture<SessionStore.Lookup> a = batcher.lookup(List.of(1L));
        CompletableFuture<SessionStore.Lookup> b = batcher.lookup(List.of(3L, 4L));
        CompletableFuture<SessionStore.Lookup> c = batcher.lookup(List.of(5L));
        CompletableFuture<SessionStore.Lookup> d = batcher.lookup(List.of(6L, 7L));
        assertEquals(1, calls.size(), "one lookup in flight per shard");
        calls.get(0).answer();
        assertEquals(List.of(1L), usersOf(a.get()));
        assertEquals(2, calls.size(), "the waiting requests leave together once the first is answered");
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L), calls.get(1).users());
        assertFalse(b.isDone());
        calls.get(1).answer();
        assertEquals(List.of(3L, 4L), usersOf(b.get()));
        assertEquals(List.of(5L), usersOf(c.get()));
        assertEquals(List.of(6L, 7L), usersOf(d.get()));
        assertEquals(Map.of(1, 77L), d.get().incarnations());
        assertEquals(2.0, registry.get("goim_logic_lookups").counter().count());
        assertEquals(4.0, registry.get("goim_logic_lookup_requests").counter().count());
    }

    /**
     * Many pushes to one user at once (a backend pushing to a busy user) merge into one
     * lookup that asks for the user once, and each push gets the user's connections once:
     * a store answers a user once per time it is asked, so asking twice would push twice.
     */
    @Test
    void aUserThatSeveralWaitingRequestsPushToIsLookedUpOnceAndEachGetsItsConnectionsOnce() throws Exception {
        batcher.lookup(List.of(1L));
        CompletableFuture<SessionStore.Lookup> a = batcher.lookup(List.of(4L));
        CompletableFuture<SessionStore.Lookup> b = batcher.lookup(List.of(4L, 5L));
        CompletableFuture<SessionStore.Lookup> c = batcher.lookup(List.of(4L, 4L));
        calls.get(0).answer();
        assertEquals(List.of(4L, 5L), calls.get(1).users());
        calls.get(1).answer();
        assertEquals(List.of(4L), usersOf(a.get()));
        assertEquals(List.of(4L, 5L), usersOf(b.get()));
        assertEquals(List.of(4L), usersOf(c.get()), "a user named twice in one request: its connections once");
    }

    @Test
    void aLookupCarriesAtMostMaxUsersButAlwaysOneRequest() throws Exception {
        batcher.lookup(List.of(1L));
        CompletableFuture<SessionStore.Lookup> big = batcher.lookup(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L));
        CompletableFuture<SessionStore.Lookup> small = batcher.lookup(List.of(11L));
        calls.get(0).answer();
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L, 9L), calls.get(1).users(), "a request above the cap goes alone");
        calls.get(1).answer();
        assertEquals(List.of(11L), calls.get(2).users());
        calls.get(2).answer();
        assertEquals(7, usersOf(big.get()).size());
        assertEquals(List.of(11L), usersOf(small.get()));
    }

    @Test
    void shardsAreMergedSeparatelySoASlowShardHoldsBackOnlyItsOwnRequests() throws Exception {
        CompletableFuture<SessionStore.Lookup> one = batcher.lookup(List.of(1L));
        CompletableFuture<SessionStore.Lookup> two = batcher.lookup(List.of(12L));
        assertEquals(2, calls.size(), "shard 2's lookup does not wait for shard 1's");
        calls.get(1).answer();
        assertEquals(List.of(12L), usersOf(two.get()));
        assertFalse(one.isDone());
        CompletableFuture<SessionStore.Lookup> both = batcher.lookup(List.of(3L, 22L));
        calls.get(0).answer();
        assertEquals(4, calls.size(), "3 waited for shard 1, 22 went to the idle shard 2");
        calls.get(2).answer();
        calls.get(3).answer();
        assertEquals(List.of(3L, 22L), usersOf(both.get()));
    }

    @Test
    void aFailedLookupFailsEveryRequestInItAndTheNextOneGoesOn() throws Exception {
        batcher.lookup(List.of(1L));
        CompletableFuture<SessionStore.Lookup> b = batcher.lookup(List.of(3L));
        CompletableFuture<SessionStore.Lookup> c = batcher.lookup(List.of(4L));
        calls.get(0).answer();
        StatusRuntimeException down = Status.UNAVAILABLE.withDescription("router 1 down").asRuntimeException();
        CompletableFuture<SessionStore.Lookup> d = batcher.lookup(List.of(5L));
        calls.get(1).result().completeExceptionally(down);
        for (CompletableFuture<SessionStore.Lookup> f : List.of(b, c)) {
            ExecutionException e = assertThrows(ExecutionException.class, f::get);
            assertSame(down, e.getCause());
        }
        assertEquals(List.of(5L), calls.get(2).users());
        calls.get(2).answer();
        assertTrue(d.isDone());
        assertEquals(List.of(5L), usersOf(d.get()));
    }

    /** The lookups the batcher uses; the test answers them by hand. */
    private final class HandStore implements SessionLookups {
        @Override
        public int shardOf(long userId) {
            return userId % 10 == 2 ? 2 : 1;
        }

        @Override
        public String shardName(int shard) {
            return "router " + shard;
        }

        @Override
        public CompletableFuture<SessionStore.Lookup> lookup(Collection<Long> userIds) {
            Call c = new Call(List.copyOf(userIds), new CompletableFuture<>());
            calls.add(c);
            return c.result();
        }
    }
}
