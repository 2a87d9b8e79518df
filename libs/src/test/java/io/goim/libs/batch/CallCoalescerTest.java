package io.goim.libs.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** One call in flight; what arrives meanwhile goes together in the next call, bounded by weight. */
class CallCoalescerTest {
    /** The calls made, each with the future the test completes by hand, and every answer given. */
    private final List<List<String>> calls = new ArrayList<>();
    private final List<CompletableFuture<Integer>> pending = new ArrayList<>();
    private final List<String> answers = new ArrayList<>();

    private CallCoalescer<String, Integer> coalescer(long maxWeight) {
        return new CallCoalescer<>(maxWeight, String::length, batch -> {
            calls.add(List.copyOf(batch));
            CompletableFuture<Integer> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        }, (batch, result, error) -> answers.add(batch + "=" + (error != null ? "error " + error.getMessage() : result)));
    }

    @Test
    void atIdleAnItemLeavesAloneAndWhatArrivesMeanwhileGoesTogetherNext() {
        CallCoalescer<String, Integer> c = coalescer(100);
        c.add("a");
        assertEquals(List.of(List.of("a")), calls, "idle: at once, alone");
        c.add("b");
        c.add("c");
        assertEquals(1, calls.size(), "one call in flight: b and c wait");
        pending.get(0).complete(1);
        assertEquals(List.of("[a]=1"), answers);
        assertEquals(List.of("b", "c"), calls.get(1), "they leave together, in order");
        pending.get(1).complete(2);
        assertEquals(List.of("[a]=1", "[b, c]=2"), answers);
        assertEquals(2, calls.size(), "nothing waits: idle again");
        c.add("d");
        assertEquals(List.of("d"), calls.get(2), "idle: the next item leaves at once");
    }

    @Test
    void aCallCarriesAtLeastOneItemAndPastItAtMostMaxWeight() {
        CallCoalescer<String, Integer> c = coalescer(5);
        c.add("x");
        c.add("1234567"); // heavier than the bound alone: still sent, alone
        c.add("12");
        c.add("123");
        c.add("1");
        pending.get(0).complete(0);
        assertEquals(List.of("1234567"), calls.get(1));
        pending.get(1).complete(0);
        assertEquals(List.of("12", "123"), calls.get(2), "2 + 3 = 5: the bound itself fits");
        pending.get(2).complete(0);
        assertEquals(List.of("1"), calls.get(3));
    }

    @Test
    void aFailedOrThrowingCallFailsItsItemsAndTheNextCallStillLeaves() {
        RuntimeException boom = new IllegalStateException("boom");
        List<Throwable> errors = new ArrayList<>();
        List<List<String>> sent = new ArrayList<>();
        CompletableFuture<Integer> first = new CompletableFuture<>();
        CallCoalescer<String, Integer> c = new CallCoalescer<>(100, s -> 1, batch -> {
            sent.add(List.copyOf(batch));
            if (sent.size() == 1) {
                return first;
            }
            throw boom;
        }, (batch, result, error) -> {
            assertNull(result);
            errors.add(error);
        });
        c.add("a");
        c.add("b");
        first.completeExceptionally(new IllegalArgumentException("refused"));
        assertEquals(List.of(List.of("a"), List.of("b")), sent);
        assertEquals("refused", errors.get(0).getMessage(), "the cause, not a CompletionException");
        assertSame(boom, errors.get(1), "a call that throws fails its items like a failed one");
        c.add("c");
        assertEquals(List.of("c"), sent.get(2), "idle again after the failures");
    }

    @Test
    void callsThatCompleteAtOnceAreFollowedInALoopNotByRecursion() {
        int[] depth = {0};
        int[] deepest = {0};
        List<Integer> sizes = new ArrayList<>();
        AtomicReference<CallCoalescer<String, Integer>> self = new AtomicReference<>();
        self.set(new CallCoalescer<>(1, s -> 1, batch -> {
            depth[0]++;
            deepest[0] = Math.max(deepest[0], depth[0]);
            sizes.add(batch.size());
            if (sizes.size() < 10_000) {
                self.get().add("next"); // arrives while this call is out: waits for the next one
            }
            depth[0]--;
            return CompletableFuture.completedFuture(batch.size());
        }, (batch, result, error) -> { }));
        self.get().add("first");
        assertEquals(10_000, sizes.size());
        assertTrue(sizes.stream().allMatch(n -> n == 1));
        assertEquals(1, deepest[0], "each call made from the same frame");
    }
}
