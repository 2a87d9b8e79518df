package io.goim.logic.session;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;

/**
 * The part of the {@link SessionStore} that push lookups use: where a user's sessions live
 * and who is connected where. {@link LookupBatcher} needs nothing else, so it asks for no more.
 */
public interface SessionLookups {
    /** Id of the shard that holds {@code userId}'s sessions. */
    int shardOf(long userId);

    /** The shard as operators know it, for logs and error messages ("router 2", "redis"). */
    String shardName(int shard);

    /** See {@link SessionStore.Lookup}; users with no connection are simply absent. One round trip per shard or node. */
    CompletableFuture<SessionStore.Lookup> lookup(Collection<Long> userIds);
}
