package io.goim.libs.batch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.ToLongFunction;

/**
 * Items that travel in calls, one call in flight: at idle an item leaves at once, alone;
 * while a call is out, the items that arrive wait and leave together in the next call. So
 * under load the number of calls stays bounded by the callee's answer time, not by the
 * arrival rate, and items leave in the order they were added.
 *
 * <pre>
 *  add(a)            ─► call [a]
 *  add(b), add(c)       (wait while [a] is out)
 *  [a] answered      ─► call [b, c]
 * </pre>
 *
 * A call carries at least one item and, past the first, items only while their weights add
 * up to at most {@code maxWeight}; the rest wait for the next call. Each call's outcome is
 * handed to the items it carried ({@link Answer}) before the next call leaves. A call that
 * completes at once is followed in a loop, not by recursion, so a burst of such calls
 * never deepens the stack. The queue is unbounded: the caller bounds what it adds (job's
 * in-flight records, logic's requests in flight).
 *
 * <p>Used by job (a comet's user pushes: MPushMsg / MPushMsgs) and logic (a store shard's
 * user lookups: merged MGets).
 *
 * <p>Thread-safe: guarded by its own monitor; calls and answers are made outside it.
 *
 * @param <T> an item
 * @param <R> what a call answers
 */
public final class CallCoalescer<T, R> {
    /** Makes one call carrying {@code batch} (at least one item); its future may complete at once. */
    @FunctionalInterface
    public interface Call<T, R> {
        CompletableFuture<R> send(List<T> batch);
    }

    /** Hands a call's outcome to the items it carried: {@code result}, or {@code error} when it failed (then result is null). */
    @FunctionalInterface
    public interface Answer<T, R> {
        void answer(List<T> batch, R result, Throwable error);
    }

    private final long maxWeight;
    private final ToLongFunction<T> weight;
    private final Call<T, R> call;
    private final Answer<T, R> answer;
    private final ArrayDeque<T> waiting = new ArrayDeque<>();
    private boolean inFlight;

    public CallCoalescer(long maxWeight, ToLongFunction<T> weight, Call<T, R> call, Answer<T, R> answer) {
        this.maxWeight = maxWeight;
        this.weight = weight;
        this.call = call;
        this.answer = answer;
    }

    /** Sends {@code item} now when no call is out, else with the next call. */
    public void add(T item) {
        List<T> batch;
        synchronized (this) {
            waiting.add(item);
            if (inFlight) {
                return; // leaves with the next call
            }
            inFlight = true;
            batch = take();
        }
        send(batch);
    }

    /** The next call's items, at least one, up to maxWeight; null (and idle) when none wait. Under the monitor. */
    private List<T> take() {
        if (waiting.isEmpty()) {
            inFlight = false;
            return null;
        }
        List<T> batch = new ArrayList<>();
        long total = 0;
        while (!waiting.isEmpty() && (batch.isEmpty() || total + weight.applyAsLong(waiting.peek()) <= maxWeight)) {
            T item = waiting.poll();
            batch.add(item);
            total += weight.applyAsLong(item);
        }
        return batch;
    }

    private synchronized List<T> next() {
        return take();
    }

    /** Sends {@code batch}, then whatever waits, until nothing does. */
    private void send(List<T> batch) {
        while (batch != null) {
            CompletableFuture<R> sent;
            try {
                sent = call.send(batch);
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            if (!sent.isDone()) {
                List<T> carried = batch;
                sent.whenComplete((result, error) -> {
                    answer.answer(carried, error == null ? result : null, error == null ? null : unwrap(error));
                    send(next());
                });
                return;
            }
            R result = null;
            Throwable error = null;
            try {
                result = sent.join();
            } catch (CompletionException | CancellationException e) {
                error = unwrap(e);
            }
            answer.answer(batch, result, error);
            batch = next();
        }
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
