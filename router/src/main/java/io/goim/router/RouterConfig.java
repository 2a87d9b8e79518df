package io.goim.router;

import com.typesafe.config.Config;
import io.goim.libs.config.Listen;
import io.goim.libs.config.Settings;
import java.time.Duration;

/** The {@code router} section of the configuration, validated. Immutable. */
public record RouterConfig(Listen grpc, int buckets, Duration shutdownGrace) {

    public static RouterConfig from(Config root) {
        Settings s = Settings.of(root, "router");
        return new RouterConfig(
                Listen.read(s, "grpc"),
                s.intAtLeast("buckets", 1),
                s.positiveDuration("shutdown-grace"));
    }
}
