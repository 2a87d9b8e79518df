package io.goim.logic.session;

import io.goim.proto.CometInstance;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where logic keeps the comets' announcements (docs/operations.md, "Comet discovery"): in
 * the session store, so discovery adds no moving part. The router tier keeps a copy in
 * every router ({@link RouterComets}); Redis keeps one key per comet with its time to live
 * ({@link RedisComets}).
 *
 * <p>Asynchronous with a deadline, as {@link SessionStore}: futures fail with a gRPC
 * {@code UNAVAILABLE} status when the store cannot answer. Implementations are thread-safe.
 */
public interface CometDirectory {
    /** Stores (or renews) {@code comet}'s announcement for its {@code ttl_ms}. */
    CompletableFuture<Void> announce(CometInstance comet);

    /** Removes {@code server}'s announcement when its incarnation is {@code incarnation} (0: any). */
    CompletableFuture<Void> withdraw(int server, long incarnation);

    /** The announcements not expired, one per server id, each with {@code age_ms}. */
    CompletableFuture<List<CometInstance>> comets();
}
