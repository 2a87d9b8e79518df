package io.goim.logic.session;

import io.goim.libs.admin.CounterFamily;
import io.goim.libs.admin.Readiness;
import io.goim.libs.log.RateLimitedLog;
import io.goim.logic.PushRefused;
import io.goim.protocol.RoomKeys;
import io.goim.protocol.SubKey;
import io.grpc.Status;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions in Redis ({@code logic.session.store = redis}), standalone or Redis Cluster, with
 * the key layout of {@link RedisKeys}. Every change to a user's connections is one Lua
 * script on that user's key ({@link RedisScript}), so seqs, the session cap's count and
 * conflicts are decided atomically by Redis however many logics run. The per-comet online
 * counts are then updated by a second script on the comet's keys, from the changes the
 * first one reports (a Redis Cluster script cannot span the two slots); a count update
 * lost on the way (a reply lost to a timeout, a logic that died between the two) is
 * corrected from the comet's own counts, which it reports every {@code comet.online-interval}
 * ({@link #correctCounts}).
 *
 * <p>Everything goes through Lettuce's asynchronous API on one shared connection: commands
 * issued together are pipelined (a push to many users sends one HGETALL per user without
 * waiting, so it costs one round trip per Redis node), no thread waits for Redis, and
 * futures complete on Lettuce's I/O threads. Each command has {@code timeout} as deadline;
 * while Redis is unreachable commands fail at once. Failures complete the futures with
 * {@code UNAVAILABLE}, are counted in {@code goim_logic_redis_errors_total{call}} and logged
 * at most once per second.
 *
 * <p>The whole Redis deployment is one shard of the {@link SessionStore} (id 1): its
 * incarnation is the {@link RedisKeys#INCARNATION} sentinel, which a Redis restarted
 * empty no longer has, so {@link RouterEpochs} makes the comets re-announce as for a
 * restarted router.
 *
 * <p>Thread-safe.
 */
public final class RedisSessionStore implements SessionStore {
    private static final Logger log = LoggerFactory.getLogger(RedisSessionStore.class);
    static final int SHARD = 1;

    private static final RedisScript PUT = RedisScript.load("put");
    private static final RedisScript DEL = RedisScript.load("del");
    private static final RedisScript TOUCH = RedisScript.load("touch");
    private static final RedisScript DEL_SERVER = RedisScript.load("delserver");
    private static final RedisScript COUNT = RedisScript.load("count");
    private static final RedisScript RECOUNT = RedisScript.load("recount");
    private static final RedisScript CLAIM_KEY = RedisScript.load("claimkey");
    private static final RedisScript RELEASE_KEY = RedisScript.load("releasekey");

    private final RateLimitedLog errorLog = new RateLimitedLog(log, 1, TimeUnit.SECONDS);
    private final SecureRandom random = new SecureRandom();
    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> connection;
    private final RedisClusterAsyncCommands<String, String> redis;
    private final RedisStoreConfig config;
    private final long expireMillis;
    private final LongSupplier clockMillis;
    private final CounterFamily errors;
    private final RedisComets directory;

    /**
     * Connects to Redis (fails when it cannot be reached: logic does not start without its
     * session store). {@code clockMillis} is wall-clock milliseconds; connection deadlines
     * are compared with it, so every logic's clock should be NTP-synchronised (a skew of
     * seconds against an expiry of an hour does not matter).
     */
    public RedisSessionStore(RedisStoreConfig config, CounterFamily errors, LongSupplier clockMillis) {
        this.config = config;
        this.expireMillis = config.sessionExpire().toMillis();
        this.clockMillis = clockMillis;
        this.errors = errors;
        // Two I/O threads are plenty for one pipelined connection; Lettuce's default is one per core.
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        TimeoutOptions timeouts = TimeoutOptions.enabled(config.timeout());
        try {
            if (config.cluster()) {
                List<RedisURI> seeds = config.uris().stream().map(RedisURI::create).toList();
                RedisClusterClient cluster = RedisClusterClient.create(resources, seeds);
                cluster.setOptions(failFast(ClusterClientOptions.builder(), timeouts).build());
                client = cluster;
                StatefulRedisClusterConnection<String, String> c = cluster.connect(StringCodec.UTF8);
                connection = c;
                redis = c.async();
            } else {
                RedisClient standalone = RedisClient.create(resources, RedisURI.create(config.uris().get(0)));
                standalone.setOptions(failFast(ClientOptions.builder(), timeouts).build());
                client = standalone;
                StatefulRedisConnection<String, String> c = standalone.connect(StringCodec.UTF8);
                connection = c;
                redis = c.async();
            }
        } catch (RuntimeException e) {
            resources.shutdown(0, 2, TimeUnit.SECONDS);
            throw e;
        }
        directory = new RedisComets(redis, this::guarded);
    }

    /**
     * The options of either client: each command times out after {@code timeouts}, and
     * while disconnected commands fail at once rather than queue up behind the reconnect.
     */
    private static <B extends ClientOptions.Builder> B failFast(B options, TimeoutOptions timeouts) {
        options.timeoutOptions(timeouts).disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
        return options;
    }

    @Override
    public CometDirectory directory() {
        return directory;
    }

    @Override
    public int shardOf(long userId) {
        return SHARD;
    }

    @Override
    public int shardCount() {
        return 1;
    }

    @Override
    public String shardName(int shard) {
        return "redis";
    }

    @Override
    public String describe() {
        return "redis " + (config.cluster() ? "cluster " : "") + config.uris().stream()
                .map(u -> RedisURI.create(u).getHost() + ":" + RedisURI.create(u).getPort()).toList();
    }

    @Override
    public CompletableFuture<Integer> put(long userId, int server, String room, String clientKey, long loginId) {
        long now = clockMillis.getAsLong();
        CompletableFuture<List<Object>> call = PUT.run(redis, ScriptOutputType.MULTI, RedisKeys.user(userId),
                Long.toString(userId), Integer.toString(server), room, Long.toString(now),
                Long.toString(now + expireMillis), Long.toString(expireMillis), clientKey, Long.toUnsignedString(loginId),
                Long.toString(RedisKeys.RECENT_MILLIS));
        return guarded("put", call).thenCompose(reply -> {
            int seq = ((Long) reply.get(0)).intValue();
            if (seq < 0) {
                // A repeat of a login that was undone meanwhile, or whose session is gone: the comet gave up on it.
                throw Status.CANCELLED.withDescription("login " + Long.toHexString(loginId) + " of user " + userId
                        + " was undone: nothing stored").asRuntimeException();
            }
            if (reply.size() == 1) {
                return CompletableFuture.completedFuture(seq); // a repeat of a login stored moments ago
            }
            CountChanges changes = new CountChanges(server);
            changes.parse(reply, 1);
            changes.user(userId);
            CompletableFuture<?> keyed = clientKey.isEmpty() ? CompletableFuture.completedFuture(null)
                    : claimKey(clientKey, server, SubKey.encode(userId, seq), true);
            return apply(changes).thenCombine(keyed, (v, k) -> seq);
        });
    }

    /** Sets {@code key_<clientKey>} to this connection: always at a login ({@code take}), only if free or ours at a renew. */
    private CompletableFuture<Long> claimKey(String clientKey, int server, String subKey, boolean take) {
        return guarded("client key", CLAIM_KEY.run(redis, ScriptOutputType.INTEGER, RedisKeys.clientKey(clientKey),
                server + "," + subKey, Long.toString(expireMillis), take ? "1" : "0"));
    }

    /** One GET per key, pipelined (keys of a Redis Cluster are on many nodes). */
    @Override
    public CompletableFuture<Map<Integer, List<String>>> lookupClientKeys(Collection<String> clientKeys) {
        Map<String, CompletableFuture<String>> calls = new LinkedHashMap<>();
        for (String k : clientKeys) {
            calls.computeIfAbsent(k, x -> redis.get(RedisKeys.clientKey(x)).toCompletableFuture());
        }
        return guarded("client key lookup", CompletableFuture.allOf(calls.values().toArray(CompletableFuture[]::new)))
                .thenApply(v -> {
                    Map<Integer, List<String>> byServer = new HashMap<>();
                    calls.forEach((key, call) -> {
                        String value = call.join();
                        int comma = value == null ? -1 : value.indexOf(',');
                        if (comma > 0) {
                            byServer.computeIfAbsent(Integer.parseInt(value, 0, comma, 10), s -> new ArrayList<>()).add(key);
                        }
                    });
                    return byServer;
                });
    }

    @Override
    public CompletableFuture<Integer> userCount(long userId) {
        long now = clockMillis.getAsLong();
        return guarded("user count", redis.hgetall(RedisKeys.user(userId)).toCompletableFuture()).thenApply(fields -> {
            int n = 0;
            for (Map.Entry<String, String> e : fields.entrySet()) {
                if (live(e.getKey(), e.getValue(), now) >= 0) {
                    n++;
                }
            }
            return n;
        });
    }

    @Override
    public CompletableFuture<Boolean> del(long userId, int seq, String rooms, int server) {
        return delete("del", userId, Integer.toString(seq), server, "");
    }

    @Override
    public CompletableFuture<Boolean> undo(long userId, long loginId) {
        return delete("undo", userId, "", 0, Long.toUnsignedString(loginId));
    }

    /** del.lua: a connection named by its {@code seq} (a Disconnect) or by the login that stored it (an undo). */
    private CompletableFuture<Boolean> delete(String what, long userId, String seq, int server, String loginId) {
        CompletableFuture<List<Object>> call = DEL.run(redis, ScriptOutputType.MULTI, RedisKeys.user(userId),
                Long.toString(userId), seq, Integer.toString(server), Long.toString(clockMillis.getAsLong()),
                Long.toString(expireMillis), loginId);
        return guarded(what, call).thenCompose(reply -> deleted(userId, reply));
    }

    /** After del.lua: the counts, the client key and the comet's user index follow the deleted session. */
    private CompletableFuture<Boolean> deleted(long userId, List<Object> reply) {
        if (reply.isEmpty()) {
            return CompletableFuture.completedFuture(false);
        }
        int seq = Integer.parseInt((String) reply.get(3));
        String conn = (String) reply.get(0); // "<server>,<rooms>,<deadline>"
        int first = conn.indexOf(',');
        int server = Integer.parseInt(conn, 0, first, 10);
        String clientKey = reply.size() > 2 ? (String) reply.get(2) : "";
        CompletableFuture<Long> released = clientKey.isEmpty() ? CompletableFuture.completedFuture(0L)
                : releaseKey(clientKey, server, SubKey.encode(userId, seq));
        CountChanges changes = new CountChanges(0);
        changes.add(server, conn.substring(first + 1, conn.lastIndexOf(',')), -1);
        if ((Long) reply.get(1) == 0) {
            // The user's last connection there: take the user off the comet's index too.
            redis.srem(RedisKeys.serverUsers(server), Long.toString(userId));
        }
        return apply(changes).thenCombine(released, (v, r) -> true);
    }

    /**
     * Deletes {@code key_<clientKey>} at the disconnect of the connection that holds it, so a
     * push to the key meanwhile is not sent to a comet that no longer has it; a key a newer
     * login took over stays. Never fails the disconnect: a key left behind expires.
     */
    private CompletableFuture<Long> releaseKey(String clientKey, int server, String subKey) {
        return RELEASE_KEY.<Long>run(redis, ScriptOutputType.INTEGER, RedisKeys.clientKey(clientKey),
                server + "," + subKey).handle((n, e) -> {
                    if (e != null) {
                        failed("client key release", e);
                        return 0L;
                    }
                    return n;
                });
    }

    @Override
    public CompletableFuture<Map<Integer, Long>> incarnations() {
        return incarnation().handle((inc, e) -> Map.of(SHARD, e == null ? inc : 0L));
    }

    /** The sentinel, drawn anew (SET NX) when Redis lost it; both commands pipelined. */
    private CompletableFuture<Long> incarnation() {
        long candidate = random.nextLong();
        redis.set(RedisKeys.INCARNATION, Long.toString(candidate == 0 ? 1 : candidate), SetArgs.Builder.nx());
        return redis.get(RedisKeys.INCARNATION).toCompletableFuture().thenApply(RedisSessionStore::parseIncarnation);
    }

    private static long parseIncarnation(String value) {
        if (value == null) {
            return 0;
        }
        try {
            long v = Long.parseLong(value);
            return v == 0 ? 1 : v;
        } catch (NumberFormatException e) {
            long h = value.hashCode();
            return h == 0 ? 1 : h; // written by someone else; any stable non-zero id does
        }
    }

    @Override
    public CompletableFuture<Lookup> lookup(Collection<Long> userIds) {
        long now = clockMillis.getAsLong();
        Map<Long, CompletableFuture<Map<String, String>>> calls = new LinkedHashMap<>();
        for (long userId : userIds) {
            calls.computeIfAbsent(userId, u -> redis.hgetall(RedisKeys.user(u)).toCompletableFuture());
        }
        // The sentinel travels in the same pipeline, so the first push after a restart notices it.
        CompletableFuture<Long> incarnation = incarnation();
        CompletableFuture<Void> all = CompletableFuture.allOf(calls.values().toArray(CompletableFuture[]::new));
        return guarded("lookup", all.thenCombine(incarnation, (v, inc) -> {
            Map<Integer, List<String>> byServer = new HashMap<>();
            for (CompletableFuture<Map<String, String>> call : calls.values()) {
                Map<String, String> fields = call.join();
                for (Map.Entry<String, String> e : fields.entrySet()) {
                    int server = live(e.getKey(), e.getValue(), now);
                    if (server >= 0) {
                        // A connection whose client chose its key is known to its comet by that key.
                        String clientKey = fields.get(RedisKeys.clientKeyField(e.getKey()));
                        byServer.computeIfAbsent(server, k -> new ArrayList<>())
                                .add(clientKey == null || clientKey.isEmpty() ? e.getKey() : clientKey);
                    }
                }
            }
            return new Lookup(byServer, inc == 0 ? Map.of() : Map.of(SHARD, inc));
        }));
    }

    /** The comet server of a connection field still within its deadline; -1 for another field or a dead one. */
    private static int live(String field, String value, long now) {
        if (!RedisKeys.isSessionField(field)) {
            return -1; // seq, client keys, logins, deleted seqs
        }
        int first = value.indexOf(',');
        int second = value.lastIndexOf(','); // the room set between them may hold commas
        if (first <= 0 || second <= first) {
            return -1;
        }
        return Long.parseLong(value, second + 1, value.length(), 10) > now
                ? Integer.parseInt(value, 0, first, 10) : -1;
    }

    @Override
    public CompletableFuture<Renewed> touch(int server, List<SubKey> keys, List<String> rooms, List<String> clientKeys) {
        long now = clockMillis.getAsLong();
        List<CompletableFuture<Long>> claims = new ArrayList<>();
        for (int i = 0; i < clientKeys.size(); i++) {
            if (!clientKeys.get(i).isEmpty()) {
                claims.add(claimKey(clientKeys.get(i), server, keys.get(i).toString(), false));
            }
        }
        Map<Long, List<String>> perUser = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            SubKey k = keys.get(i);
            List<String> args = perUser.computeIfAbsent(k.userId(), u -> new ArrayList<>(List.of(
                    Long.toString(u), Integer.toString(server), Long.toString(now), Long.toString(now + expireMillis),
                    Long.toString(expireMillis), Long.toString(RedisKeys.RECENT_MILLIS))));
            args.add(Integer.toString(k.seq()));
            args.add(rooms.get(i));
            args.add(clientKeys.isEmpty() ? "" : clientKeys.get(i));
        }
        Map<Long, CompletableFuture<List<Object>>> calls = new LinkedHashMap<>();
        for (Map.Entry<Long, List<String>> e : perUser.entrySet()) {
            calls.put(e.getKey(), TOUCH.run(redis, ScriptOutputType.MULTI, RedisKeys.user(e.getKey()),
                    e.getValue().toArray(String[]::new)));
        }
        List<CompletableFuture<?>> waits = new ArrayList<>(calls.values());
        waits.addAll(claims);
        CompletableFuture<Void> all = CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
        return guarded("touch", all).thenCompose(v -> {
            int refreshed = 0;
            int relearned = 0;
            List<String> conflicts = new ArrayList<>();
            CountChanges changes = new CountChanges(server);
            for (Map.Entry<Long, CompletableFuture<List<Object>>> e : calls.entrySet()) {
                long userId = e.getKey();
                List<Object> reply = e.getValue().join();
                String codes = (String) reply.get(0);
                List<String> args = perUser.get(userId);
                for (int i = 0; i < codes.length(); i++) {
                    switch (codes.charAt(i)) {
                        case '0' -> refreshed++;
                        case '1' -> relearned++;
                        // '2': held by another comet; '3': deleted by name moments ago (a Disconnect this renew crossed).
                        default -> conflicts.add(SubKey.encode(userId, Integer.parseInt(args.get(6 + 3 * i))));
                    }
                }
                changes.parse(reply, 1);
                changes.user(userId);
            }
            Renewed renewed = new Renewed(refreshed, relearned, conflicts);
            return apply(changes).thenApply(x -> renewed);
        });
    }

    @Override
    public CompletableFuture<Void> delServer(int server, Duration aliveWindow) {
        String id = Integer.toString(server);
        return guarded("server del", redis.zscore(RedisKeys.SERVERS, id).toCompletableFuture()).thenCompose(heard -> {
            long ago = heard == null ? -1 : Math.max(0, clockMillis.getAsLong() - heard.longValue());
            if (!aliveWindow.isZero() && heard != null && ago < aliveWindow.toMillis()) {
                throw new PushRefused(PushRefused.Reason.COMET_ALIVE, "comet " + server + " renewed or logged a user in "
                        + TimeUnit.MILLISECONDS.toSeconds(ago) + " s ago (redis; within "
                        + "logic.server-del-alive-window = " + aliveWindow.toSeconds() + " s): it looks alive, and"
                        + " forgetting it would make its users unreachable until its next renew. If it is down,"
                        + " repeat with force=1", null);
            }
            return guarded("server del", redis.smembers(RedisKeys.serverUsers(server)).toCompletableFuture());
        }).thenCompose(users -> {
            List<CompletableFuture<Long>> drops = new ArrayList<>(users.size());
            for (String user : users) {
                drops.add(DEL_SERVER.run(redis, ScriptOutputType.INTEGER, RedisKeys.user(Long.parseLong(user)), id));
            }
            return guarded("server del", CompletableFuture.allOf(drops.toArray(CompletableFuture[]::new)));
        }).thenCompose(v -> {
            CompletableFuture<Long> keys = redis.del(RedisKeys.serverCounts(server), RedisKeys.serverUsers(server),
                    RedisKeys.countDifferences(server), RedisKeys.reportParts(server))
                    .toCompletableFuture();
            CompletableFuture<Long> listed = redis.zrem(RedisKeys.SERVERS, id).toCompletableFuture();
            return guarded("server del", CompletableFuture.allOf(keys, listed));
        });
    }

    @Override
    public CompletableFuture<Readiness> ready(Duration deadline) {
        return Readiness.ofCall("redis", redis.ping().toCompletableFuture().orTimeout(deadline.toMillis(),
                TimeUnit.MILLISECONDS));
    }

    @Override
    public CompletableFuture<Map<String, Integer>> allRoomCount() {
        return serverCounts().thenApply(perServer -> {
            Map<String, Integer> rooms = new HashMap<>();
            perServer.values().forEach(fields -> fields.forEach((f, n) -> {
                if (f.startsWith(RedisKeys.ROOM_PREFIX)) {
                    // Below 0 while a connection's -1 is ahead of its +1 (count.lua): none there.
                    rooms.merge(RedisKeys.roomOfField(f), Math.max(0, Integer.parseInt(n)), Integer::sum);
                }
            }));
            rooms.values().removeIf(n -> n <= 0);
            return rooms;
        });
    }

    @Override
    public CompletableFuture<Map<Integer, Integer>> allServerCount() {
        return serverCounts().thenApply(perServer -> {
            Map<Integer, Integer> servers = new HashMap<>();
            perServer.forEach((server, fields) -> {
                int n = Integer.parseInt(fields.getOrDefault(RedisKeys.TOTAL_FIELD, "0"));
                if (n > 0) {
                    servers.put(server, n);
                }
            });
            return servers;
        });
    }

    /**
     * Corrects comet {@code server}'s count hash from its own counts (recount.lua): a
     * difference seen unchanged in two reports in a row is a lost update and is added
     * back; a single one may be changes in flight and is only remembered.
     */
    @Override
    public CompletableFuture<Integer> correctCounts(int server, Map<String, Integer> rooms, int connections,
            ReportPart part) {
        List<String> args = new ArrayList<>(4 + 2 * rooms.size());
        args.add(part.whole() ? "1" : part.split() ? part.round() + ":" + part.part() + ":" + part.parts() : "0");
        args.add(Long.toString(expireMillis));
        args.add(RedisKeys.TOTAL_FIELD);
        args.add(Integer.toString(Math.max(0, connections)));
        rooms.forEach((room, n) -> {
            args.add(RedisKeys.roomField(room));
            args.add(Integer.toString(Math.max(0, n)));
        });
        CompletableFuture<Long> call = RECOUNT.run(redis, ScriptOutputType.INTEGER,
                new String[] {RedisKeys.serverCounts(server), RedisKeys.countDifferences(server),
                    RedisKeys.reportParts(server)},
                args.toArray(String[]::new));
        return guarded("count correction", call).thenApply(Long::intValue);
    }

    /** The count hash of every comet heard from within one expiry: one pipelined HGETALL each. */
    private CompletableFuture<Map<Integer, Map<String, String>>> serverCounts() {
        long since = clockMillis.getAsLong() - expireMillis;
        // Comets silent for a whole expiry have no session left: drop them from the list.
        redis.zremrangebyscore(RedisKeys.SERVERS, Range.create(Double.NEGATIVE_INFINITY, (double) since));
        CompletableFuture<List<String>> listed = redis.zrangebyscore(RedisKeys.SERVERS,
                Range.create((double) since, Double.POSITIVE_INFINITY)).toCompletableFuture();
        return guarded("counts", listed.thenCompose(servers -> {
            Map<Integer, CompletableFuture<Map<String, String>>> calls = new HashMap<>();
            for (String s : servers) {
                int server = Integer.parseInt(s);
                calls.put(server, redis.hgetall(RedisKeys.serverCounts(server)).toCompletableFuture());
            }
            return CompletableFuture.allOf(calls.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
                Map<Integer, Map<String, String>> out = new HashMap<>();
                calls.forEach((server, call) -> out.put(server, call.join()));
                return out;
            });
        }));
    }

    /**
     * Applies count changes, one script per comet, pipelined. The caller's comet (if any)
     * is marked as heard from now and its count keys' TTL refreshed. Never fails: the
     * sessions are already changed, and a count that missed a change is corrected from
     * the comet's own counts within two of its reports ({@link #correctCounts}); the
     * failure is counted.
     */
    private CompletableFuture<Void> apply(CountChanges changes) {
        List<CompletableFuture<?>> calls = new ArrayList<>();
        Set<Integer> servers = new LinkedHashSet<>(changes.fields.keySet());
        if (changes.caller > 0) {
            servers.add(changes.caller);
            calls.add(redis.zadd(RedisKeys.SERVERS, (double) clockMillis.getAsLong(),
                    Integer.toString(changes.caller)).toCompletableFuture());
        }
        for (int server : servers) {
            Map<String, Integer> fields = changes.fields.getOrDefault(server, Map.of());
            List<String> args = new ArrayList<>(2 + 2 * fields.size() + changes.users.size());
            args.add(server == changes.caller ? Long.toString(expireMillis) : "0");
            args.add(Integer.toString(fields.size()));
            fields.forEach((f, d) -> {
                args.add(f);
                args.add(Integer.toString(d));
            });
            if (server == changes.caller) {
                args.addAll(changes.users);
            }
            calls.add(COUNT.run(redis, ScriptOutputType.INTEGER,
                    new String[] {RedisKeys.serverCounts(server), RedisKeys.serverUsers(server)},
                    args.toArray(String[]::new)));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).handle((v, e) -> {
            if (e != null) {
                failed("count update", e);
            }
            return null;
        });
    }

    /** Count changes reported by the user scripts, per comet and field, and the users the caller's comet holds. */
    private static final class CountChanges {
        final int caller;
        final Map<Integer, Map<String, Integer>> fields = new HashMap<>();
        final List<String> users = new ArrayList<>();

        /** {@code caller}: the comet whose call this is, 0 for none. */
        CountChanges(int caller) {
            this.caller = caller;
        }

        /**
         * Reads "server,rooms,delta" entries from {@code reply}, starting at {@code from}
         * (the room set between the first and the last comma may hold commas itself).
         */
        void parse(List<Object> reply, int from) {
            for (int i = from; i < reply.size(); i++) {
                String c = (String) reply.get(i);
                int first = c.indexOf(',');
                int last = c.lastIndexOf(',');
                add(Integer.parseInt(c, 0, first, 10), c.substring(first + 1, last),
                        Integer.parseInt(c, last + 1, c.length(), 10));
            }
        }

        /**
         * Counts a connection in the room set {@code rooms} ("-1", v1's "no room" in
         * sessions written before room keys, counts as none) {@code delta} times on {@code server}.
         */
        void add(int server, String rooms, int delta) {
            Map<String, Integer> f = fields.computeIfAbsent(server, s -> new HashMap<>());
            f.merge(RedisKeys.TOTAL_FIELD, delta, Integer::sum);
            if (!rooms.equals("-1")) {
                for (String room : RoomKeys.split(rooms)) {
                    f.merge(RedisKeys.roomField(room), delta, Integer::sum);
                }
            }
            f.values().removeIf(d -> d == 0);
            if (f.isEmpty()) {
                fields.remove(server);
            }
        }

        void user(long userId) {
            users.add(Long.toString(userId));
        }
    }

    /** {@code call} with any failure turned into UNAVAILABLE, counted and logged. */
    private <T> CompletableFuture<T> guarded(String call, CompletableFuture<T> future) {
        return future.handle((v, e) -> {
            if (e == null) {
                return v;
            }
            throw failed(call, e);
        });
    }

    private RuntimeException failed(String call, Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        errors.of(call).increment();
        errorLog.warn("redis {} failed: {}", call, cause.toString());
        return Status.UNAVAILABLE.withDescription("redis " + call + " failed: " + cause.getMessage())
                .withCause(cause).asRuntimeException();
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
