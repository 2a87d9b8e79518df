package io.goim.job.consume;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What became of one record offered to the consumer's {@link PushConsumer.Handler} (job's
 * {@link io.goim.job.dispatch.Dispatcher}): taken, or to be offered again later.
 */
public sealed interface Dispatched permits Dispatched.Taken, Dispatched.Wait {
    /** Not taken now: its room's queue is full (see {@link Wait}). */
    Dispatched WAIT = new Wait();

    static Dispatched taken(CompletableFuture<Void> handedOn) {
        return new Taken(handedOn);
    }

    /**
     * Taken: {@code handedOn} completes once the record was handed to every comet that
     * needed it, given up for a comet, or skipped as malformed. It never fails.
     */
    record Taken(CompletableFuture<Void> handedOn) implements Dispatched {
        public Taken {
            Objects.requireNonNull(handedOn, "handedOn");
        }
    }

    /**
     * Not taken: a room message whose room's queue is full. The consumer keeps the record
     * (pausing its partition) and offers it again later, so nothing is dropped for a full queue.
     */
    record Wait() implements Dispatched {
    }
}
