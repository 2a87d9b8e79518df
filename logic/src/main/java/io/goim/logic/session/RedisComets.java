package io.goim.logic.session;

import com.google.protobuf.InvalidProtocolBufferException;
import io.goim.proto.CometInstance;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The comet directory in Redis ({@code logic.session.store = redis}): one key per comet,
 * {@link RedisKeys#comet}, set with the announcement's time to live, so Redis itself
 * forgets a comet that stopped announcing; the set {@link RedisKeys#COMETS} lists the ids
 * so a read needs no SCAN (which a Redis Cluster would have to run on every node). Every
 * command goes through the session store's shared pipelined connection; failures become
 * {@code UNAVAILABLE} through its guard (counted as {@code goim_logic_redis_errors_total}).
 *
 * <p>Thread-safe.
 */
final class RedisComets implements CometDirectory {
    private static final RedisScript WITHDRAW = RedisScript.load("withdraw");

    /** The session store's guard: a failure counted, logged and turned into UNAVAILABLE. */
    interface Guard {
        <T> CompletableFuture<T> guarded(String call, CompletableFuture<T> future);
    }

    private final RedisClusterAsyncCommands<String, String> redis;
    private final Guard guard;

    RedisComets(RedisClusterAsyncCommands<String, String> redis, Guard guard) {
        this.redis = redis;
        this.guard = guard;
    }

    @Override
    public CompletableFuture<Void> announce(CometInstance comet) {
        String value = comet.getIncarnation() + ":" + Base64.getEncoder().encodeToString(
                comet.toBuilder().clearAgeMs().build().toByteArray());
        CompletableFuture<String> set = redis.set(RedisKeys.comet(comet.getServer()), value,
                SetArgs.Builder.px(comet.getTtlMs())).toCompletableFuture();
        CompletableFuture<Long> listed = redis.sadd(RedisKeys.COMETS, Integer.toString(comet.getServer()))
                .toCompletableFuture();
        return guard.guarded("comet announce", CompletableFuture.allOf(set, listed));
    }

    @Override
    public CompletableFuture<Void> withdraw(int server, long incarnation) {
        CompletableFuture<Long> call = WITHDRAW.run(redis, ScriptOutputType.INTEGER, RedisKeys.comet(server),
                Long.toString(incarnation));
        return guard.guarded("comet withdraw", call).thenApply(v -> null);
    }

    @Override
    public CompletableFuture<List<CometInstance>> comets() {
        return guard.guarded("comets", redis.smembers(RedisKeys.COMETS).toCompletableFuture()
                .thenCompose(ids -> {
                    // GET and PTTL of every comet, pipelined: one round trip for the lot.
                    Map<String, CompletableFuture<String>> values = new TreeMap<>();
                    Map<String, CompletableFuture<Long>> ttls = new TreeMap<>();
                    for (String id : ids) {
                        int server = Integer.parseInt(id);
                        values.put(id, redis.get(RedisKeys.comet(server)).toCompletableFuture());
                        ttls.put(id, redis.pttl(RedisKeys.comet(server)).toCompletableFuture());
                    }
                    List<CompletableFuture<?>> all = new ArrayList<>(values.values());
                    all.addAll(ttls.values());
                    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v -> {
                        List<CometInstance> out = new ArrayList<>();
                        for (Map.Entry<String, CompletableFuture<String>> e : values.entrySet()) {
                            CometInstance c = parse(e.getValue().join());
                            long left = ttls.get(e.getKey()).join();
                            if (c == null || left < 0) {
                                // Expired (or unreadable): off the list; an announcement that races
                                // this adds the id back at once.
                                redis.srem(RedisKeys.COMETS, e.getKey());
                                continue;
                            }
                            out.add(c.toBuilder().setAgeMs(Math.max(0, c.getTtlMs() - left)).build());
                        }
                        return out;
                    });
                }));
    }

    private static CometInstance parse(String value) {
        if (value == null) {
            return null;
        }
        int colon = value.indexOf(':');
        try {
            return CometInstance.parseFrom(Base64.getDecoder().decode(value.substring(colon + 1)));
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            return null;
        }
    }
}
