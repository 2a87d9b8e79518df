package io.goim.router;

import com.typesafe.config.Config;
import io.goim.libs.admin.AdminConfig;
import io.goim.libs.config.Listen;
import io.goim.libs.config.Settings;
import io.goim.libs.grpc.PeerAuth;
import java.time.Duration;

/** The {@code router} section of the configuration, validated. Immutable. */
public record RouterConfig(Listen grpc, PeerAuth peerAuth, int buckets, Duration sessionExpire, Duration cleanInterval,
        Duration shutdownGrace, AdminConfig admin) {

    public static RouterConfig from(Config root) {
        Settings s = Settings.of(root, "router");
        Duration expire = s.positiveDuration("session-expire");
        Duration clean = s.positiveDuration("clean-interval");
        if (clean.compareTo(expire) > 0) {
            throw s.invalid("clean-interval", clean.toString(), "<= session-expire " + expire);
        }
        return new RouterConfig(
                Listen.read(s, "grpc"),
                PeerAuth.read(s),
                s.intAtLeast("buckets", 1),
                expire,
                clean,
                s.positiveDuration("shutdown-grace"),
                AdminConfig.read(s));
    }
}
