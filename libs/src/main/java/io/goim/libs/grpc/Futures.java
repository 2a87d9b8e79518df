package io.goim.libs.grpc;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.concurrent.CompletableFuture;

/** Bridges gRPC's future stubs to {@link CompletableFuture}. */
public final class Futures {
    private Futures() {
    }

    /** A CompletableFuture completed (on the gRPC thread) when {@code f} completes; cancelling it cancels the call. */
    public static <T> CompletableFuture<T> of(ListenableFuture<T> f) {
        CompletableFuture<T> cf = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                f.cancel(mayInterruptIfRunning);
                return super.cancel(mayInterruptIfRunning);
            }
        };
        com.google.common.util.concurrent.Futures.addCallback(f, new FutureCallback<T>() {
            @Override
            public void onSuccess(T result) {
                cf.complete(result);
            }

            @Override
            public void onFailure(Throwable t) {
                cf.completeExceptionally(t);
            }
        }, MoreExecutors.directExecutor());
        return cf;
    }
}
