package io.goim.bench.capacity;

import com.typesafe.config.Config;
import java.util.List;

/** What the cluster must carry and on what it runs (capacity.workload). */
public record Workload(
        long connections,
        int comets,
        int coresPerComet,
        double memoryPerCometGib,
        double nicGbpsPerComet,
        double websocketShare,
        int bodyBytes,
        double heartbeatSeconds,
        List<RoomClass> rooms,
        double userPushesPerSec,
        double broadcastsPerMin,
        long stormClients,
        double loginTimeoutSeconds,
        double drainWindowSeconds,
        int logics) {

    static Workload from(Config c) {
        List<RoomClass> rooms = c.getConfigList("rooms").stream()
                .map(r -> new RoomClass(r.getString("name"), r.getLong("rooms"), r.getLong("members"),
                        r.getDouble("msgs-per-sec")))
                .toList();
        return new Workload(c.getLong("connections"), c.getInt("comets"), c.getInt("cores-per-comet"),
                c.getDouble("memory-per-comet-gib"), c.getDouble("nic-gbps-per-comet"),
                c.getDouble("websocket-share"), c.getInt("body-bytes"), c.getDouble("heartbeat-seconds"), rooms,
                c.getDouble("user-pushes-per-sec"), c.getDouble("broadcasts-per-min"), c.getLong("storm-clients"),
                c.getDouble("login-timeout-seconds"), c.getDouble("drain-window-seconds"), c.getInt("logics"));
    }

    double connectionsPerComet() {
        return (double) connections / comets;
    }

    /** Room messages per second, all classes. */
    double roomMessagesPerSec() {
        return rooms.stream().mapToDouble(RoomClass::messagesPerSec).sum();
    }
}
