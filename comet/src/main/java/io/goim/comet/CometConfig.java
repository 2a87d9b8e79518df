package io.goim.comet;

import com.typesafe.config.Config;
import io.goim.libs.config.HostPort;
import io.goim.libs.config.Listen;
import io.goim.libs.config.Settings;
import java.time.Duration;

/** The {@code comet} section of the configuration, validated. Immutable. */
public record CometConfig(
        int serverId,
        Listen tcp,
        Listen grpc,
        HostPort logic,
        Duration logicTimeout,
        Duration handshakeTimeout,
        Duration heartbeatTimeout,
        int maxBody,
        int buckets,
        int eventLoopThreads,
        Duration shutdownGrace) {

    public static CometConfig from(Config root) {
        Settings s = Settings.of(root, "comet");
        return new CometConfig(
                s.intAtLeast("server-id", 1),
                Listen.read(s, "tcp"),
                Listen.read(s, "grpc"),
                io.goim.libs.config.HostPort.parse("comet.logic", s.string("logic")),
                s.positiveDuration("logic-timeout"),
                s.positiveDuration("handshake-timeout"),
                s.positiveDuration("heartbeat-timeout"),
                (int) Math.min(1 << 20, s.bytesAtLeast("max-body", 0)),
                s.intAtLeast("buckets", 1),
                s.intAtLeast("event-loop-threads", 0),
                s.positiveDuration("shutdown-grace"));
    }
}
