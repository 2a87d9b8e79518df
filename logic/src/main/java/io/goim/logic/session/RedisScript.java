package io.goim.logic.session;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A Lua script of the Redis session store (resources io/goim/logic/session/redis/), run by its
 * SHA-1 (EVALSHA) and sent whole (EVAL) only when Redis does not know it: after a restart
 * its script cache is empty, and the first call of each script there pays for that.
 * Each script touches the keys of one user or of one comet, so it stays inside one Redis
 * Cluster slot.
 */
record RedisScript(String name, String body, String sha) {

    static RedisScript load(String name) {
        String resource = "redis/" + name + ".lua";
        try (InputStream in = RedisScript.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource io/goim/logic/session/" + resource);
            }
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new RedisScript(name, body, HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(body.getBytes(StandardCharsets.UTF_8))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the script on {@code key}; the future completes on Lettuce's I/O thread. */
    <T> CompletableFuture<T> run(RedisClusterAsyncCommands<String, String> redis, ScriptOutputType type,
            String key, String... args) {
        String[] keys = {key};
        return run(redis, type, keys, args);
    }

    <T> CompletableFuture<T> run(RedisClusterAsyncCommands<String, String> redis, ScriptOutputType type,
            String[] keys, String... args) {
        CompletableFuture<T> bySha = redis.<T>evalsha(sha, type, keys, args).toCompletableFuture();
        return bySha.exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RedisNoScriptException) {
                return redis.<T>eval(body, type, keys, args).toCompletableFuture();
            }
            return CompletableFuture.failedFuture(cause);
        });
    }
}
