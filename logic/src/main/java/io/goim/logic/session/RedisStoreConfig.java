package io.goim.logic.session;

import io.goim.libs.config.Settings;
import java.time.Duration;
import java.util.List;

/**
 * {@code logic.session.redis}: where the Redis session store is and how long a connection
 * lives there without a login or a renew. Immutable.
 *
 * @param uris one {@code redis://} URI for a standalone Redis; with {@code cluster}, seed
 *     nodes of a Redis Cluster (the rest are discovered)
 * @param cluster whether {@code uris} name a Redis Cluster
 * @param timeout deadline of one Redis command
 * @param sessionExpire how long a connection stays after its last Connect or Renew; the TTL
 *     of the keys that hold it
 */
public record RedisStoreConfig(List<String> uris, boolean cluster, Duration timeout, Duration sessionExpire) {

    public static RedisStoreConfig read(Settings s) {
        List<String> uris = s.strings("uris");
        if (uris.isEmpty()) {
            throw s.invalid("uris", "[]", "at least one redis:// URI");
        }
        for (String u : uris) {
            if (!u.startsWith("redis://") && !u.startsWith("rediss://")) {
                throw s.invalid("uris", u, "a redis:// or rediss:// URI, e.g. redis://10.0.0.5:6379");
            }
        }
        boolean cluster = s.bool("cluster");
        if (!cluster && uris.size() > 1) {
            throw s.invalid("uris", uris.toString(), "one URI for a standalone Redis, or cluster = true for seed nodes"
                    + " of a Redis Cluster");
        }
        Duration expire = s.positiveDuration("session-expire");
        if (expire.toMillis() < 1000) {
            throw s.invalid("session-expire", expire.toString(), "at least 1s");
        }
        return new RedisStoreConfig(uris, cluster, s.positiveDuration("timeout"), expire);
    }
}
