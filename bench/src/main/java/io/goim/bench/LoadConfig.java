package io.goim.bench;

import com.typesafe.config.Config;
import io.goim.libs.config.HostPort;
import io.goim.libs.config.Settings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The {@code bench.load} section, validated. Immutable. */
public record LoadConfig(
        List<HostPort> targets,
        int connections,
        long firstUserId,
        List<InetAddress> sources,
        int inFlight,
        int retries,
        Duration heartbeat,
        Duration authTimeout,
        Duration duration,
        Duration reportEvery,
        Path statsFile,
        String websocketPath,
        int threads,
        boolean logReceipts) {

    public static LoadConfig from(Config root) {
        Settings s = Settings.of(root, "bench.load");
        List<HostPort> targets = s.addresses("targets");
        if (targets.isEmpty()) {
            throw s.invalid("targets", "[]", "at least one host:port");
        }
        int connections = s.intAtLeast("connections", 0);
        if (connections > 19_500) {
            throw s.invalid("connections", String.valueOf(connections),
                    "at most 19500 (a process may hold 20,000 open files; run several processes)");
        }
        List<InetAddress> sources = new ArrayList<>();
        for (String src : s.strings("sources")) {
            try {
                InetAddress a = InetAddress.getByName(src);
                if (!a.isLoopbackAddress()) {
                    throw s.invalid("sources", src, "loopback addresses (127.0.0.0/8) only");
                }
                sources.add(a);
            } catch (UnknownHostException e) {
                throw s.invalid("sources", src, "an IP address");
            }
        }
        String stats = s.string("stats-file");
        String ws = s.string("websocket-path");
        if (!ws.isEmpty() && !ws.startsWith("/")) {
            throw s.invalid("websocket-path", ws, "empty (TCP) or a path starting with /");
        }
        boolean logReceipts = s.bool("log-receipts");
        if (logReceipts && stats.isEmpty()) {
            throw s.invalid("log-receipts", "true", "false, or a stats-file to write the receipts next to");
        }
        return new LoadConfig(targets, connections, s.intAtLeast("first-user-id", 0), List.copyOf(sources),
                s.intAtLeast("in-flight", 1), s.intAtLeast("retries", 0), s.positiveDuration("heartbeat"), s.positiveDuration("auth-timeout"),
                s.positiveDuration("duration"), s.positiveDuration("report-every"),
                stats.isEmpty() ? null : Path.of(stats), ws.isEmpty() ? null : ws, s.intAtLeast("threads", 0), logReceipts);
    }
}
