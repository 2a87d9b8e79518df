package io.goim.logic.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bounds of {@link LoginUndos}: how many retries, how many undos wait for one, and what
 * is not retried. The store is a stand-in that answers undos as told (the end-to-end
 * behaviour against a real router is {@code io.goim.logic.UndoRetryTest}'s).
 */
class LoginUndosTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Counter retries = registry.counter("retries");
    private final Counter givenUp = registry.counter("given_up");
    private final AtomicInteger calls = new AtomicInteger();
    /** What the store answers each undo: null for a success, else the failure. */
    private volatile Status failWith = Status.UNAVAILABLE;

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    /** A session store whose undo answers as {@link #failWith} says; nothing else is called. */
    private SessionStore store() {
        return (SessionStore) Proxy.newProxyInstance(SessionStore.class.getClassLoader(), new Class<?>[] {SessionStore.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("undo")) {
                        // LoginUndos calls nothing but undo: anything else fails the test loudly.
                        throw new AssertionError("LoginUndos called SessionStore." + method.getName());
                    }
                    calls.incrementAndGet();
                    Status s = failWith;
                    return s == null ? CompletableFuture.completedFuture(true)
                            : CompletableFuture.failedFuture(s.asRuntimeException());
                });
    }

    private LoginUndos undos(int retryCount, int maxPending) {
        return new LoginUndos(store(), timer, new LoginUndos.Config(retryCount, Duration.ofMillis(20), maxPending),
                new LoginUndos.Meters(retries, givenUp));
    }

    @Test
    void aFailedUndoIsRetriedUntilItSucceeds() throws Exception {
        LoginUndos undos = undos(5, 10);
        LoginUndos.Undo u = undos.undo(7, 42, 1);
        assertFalse(u.firstTry.get(5, TimeUnit.SECONDS), "the first try failed: a retry is scheduled");
        assertTrue(u.retrying());
        failWith = null;
        assertTrue(u.settled.get(5, TimeUnit.SECONDS));
        assertTrue(retries.count() >= 1);
        assertEquals(0.0, givenUp.count());
        assertEquals(0, undos.pending());
    }

    @Test
    void retriesAreBoundedAndTheUndoIsThenGivenUp() {
        LoginUndos undos = undos(3, 10);
        LoginUndos.Undo u = undos.undo(7, 42, 1);
        ExecutionException e = assertThrows(ExecutionException.class, () -> u.settled.get(5, TimeUnit.SECONDS));
        assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(e).getCode());
        assertEquals(4, calls.get(), "the try and 3 retries");
        assertEquals(3.0, retries.count());
        assertEquals(1.0, givenUp.count());
        assertEquals(0, undos.pending());
    }

    @Test
    void undosBeyondMaxPendingAreGivenUpAtOnce() throws Exception {
        LoginUndos undos = undos(1_000, 2);
        LoginUndos.Undo a = undos.undo(1, 1, 1);
        LoginUndos.Undo b = undos.undo(2, 2, 1);
        assertFalse(a.firstTry.get(5, TimeUnit.SECONDS));
        assertFalse(b.firstTry.get(5, TimeUnit.SECONDS));
        assertEquals(2, undos.pending());
        LoginUndos.Undo c = undos.undo(3, 3, 1);
        assertThrows(ExecutionException.class, () -> c.firstTry.get(5, TimeUnit.SECONDS), "no room to wait: given up");
        assertEquals(1.0, givenUp.count());
        assertEquals(2, undos.pending(), "memory stays bounded however long the store fails");
        failWith = null;
        assertTrue(a.settled.get(5, TimeUnit.SECONDS));
        assertTrue(b.settled.get(5, TimeUnit.SECONDS));
        assertEquals(0, undos.pending());
    }

    @Test
    void anUndoTheStoreRefusesIsNotRetried() {
        failWith = Status.INVALID_ARGUMENT.withDescription("user id -1");
        LoginUndos.Undo u = undos(5, 10).undo(-1, 42, 1);
        ExecutionException e = assertThrows(ExecutionException.class, () -> u.settled.get(5, TimeUnit.SECONDS));
        assertEquals(Status.Code.INVALID_ARGUMENT, Status.fromThrowable(e).getCode());
        assertEquals(1, calls.get());
        assertEquals(0.0, retries.count());
        assertEquals(1.0, givenUp.count());
    }
}
