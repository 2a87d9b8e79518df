package io.goim.logic;

import com.typesafe.config.Config;
import io.goim.libs.admin.AdminConfig;
import io.goim.libs.config.HostPort;
import io.goim.libs.config.Listen;
import io.goim.libs.config.Settings;
import io.goim.libs.grpc.PeerAuth;
import io.goim.libs.http.HttpLimits;
import io.goim.logic.http.ApiKeys;
import io.goim.logic.session.LoginUndos;
import io.goim.logic.session.RedisStoreConfig;
import java.time.Duration;
import java.util.Map;

/**
 * The {@code logic} section of the configuration, validated. Immutable. {@code redis} is
 * null unless {@code logic.session.store = redis}.
 */
public record LogicConfig(
        Listen grpc,
        PeerAuth peerAuth,
        Listen http,
        int httpMaxBody,
        int httpThreads,
        int httpMaxPipelined,
        HttpLimits httpLimits,
        ApiKeys apiKeys,
        Duration serverDelAliveWindow,
        String sessionStore,
        RedisStoreConfig redis,
        Map<Integer, HostPort> routers,
        Duration routerTimeout,
        Duration routerWatchInterval,
        Duration routerHealWindow,
        LoginUndos.Config undoRetry,
        String authClass,
        boolean allowAnonymous,
        JwtConfig jwt,
        int maxSessionsPerUser,
        String kafkaBootstrap,
        String topic,
        Duration sendTimeout,
        Map<String, Object> kafkaProperties,
        Duration countRefresh,
        Duration shutdownGrace,
        AdminConfig admin,
        io.goim.logic.http.NodesConfig nodes) {

    public static LogicConfig from(Config root) {
        Settings s = Settings.of(root, "logic");
        Settings http = s.section("http");
        Settings auth = s.section("auth");
        Settings kafka = s.section("kafka");
        Map<String, Object> props = kafka.stringMap("properties");
        return new LogicConfig(
                Listen.read(s, "grpc"),
                PeerAuth.read(s),
                Listen.read(s, "http"),
                (int) Math.min(Integer.MAX_VALUE, http.bytesAtLeast("max-body", 1)),
                http.intAtLeast("threads", 0),
                http.intAtLeast("max-pipelined", 1),
                HttpLimits.read(http),
                apiKeys(http),
                s.positiveDuration("server-del-alive-window"),
                sessionStore(s.section("session")),
                s.section("session").string("store").equals("redis")
                        ? RedisStoreConfig.read(s.section("session").section("redis")) : null,
                s.idToAddress("routers"),
                s.positiveDuration("router-timeout"),
                s.positiveDuration("router-watch-interval"),
                s.positiveDuration("router-heal-window"),
                new LoginUndos.Config(s.section("undo-retry").intAtLeast("retries", 0),
                        s.section("undo-retry").positiveDuration("backoff"),
                        s.section("undo-retry").intAtLeast("max-pending", 1)),
                auth.string("class"),
                auth.bool("allow-anonymous"),
                JwtConfig.read(auth.section("jwt")),
                auth.intAtLeast("max-sessions-per-user", 0),
                kafka.string("bootstrap-servers"),
                kafka.string("topic"),
                kafka.positiveDuration("send-timeout"),
                Map.copyOf(props),
                s.positiveDuration("count-refresh"),
                s.positiveDuration("shutdown-grace"),
                AdminConfig.read(s),
                io.goim.logic.http.NodesConfig.read(s.section("nodes")));
    }

    /** {@code session.store}: "router" (the default) or "redis". */
    private static String sessionStore(Settings session) {
        String store = session.string("store");
        if (!store.equals("router") && !store.equals("redis")) {
            throw session.invalid("store", store, "router or redis");
        }
        return store;
    }

    /** Whether sessions live in Redis ({@code logic.session.store = redis}) rather than the routers. */
    public boolean redisSessions() {
        return sessionStore.equals("redis");
    }

    private static ApiKeys apiKeys(Settings http) {
        try {
            return ApiKeys.of(http.strings("api-keys"));
        } catch (IllegalArgumentException e) {
            throw http.invalid("api-keys", "(not shown)", e.getMessage());
        }
    }
}
