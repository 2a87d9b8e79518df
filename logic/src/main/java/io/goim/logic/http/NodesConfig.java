package io.goim.logic.http;

import io.goim.libs.config.Settings;
import java.time.Duration;

/**
 * {@code logic.nodes}: what the nodes API ({@link NodesEndpoint}) answers besides the comets
 * themselves, as goim v2's {@code [node]} and {@code [backoff]} sections. Immutable.
 *
 * @param refresh how often logic re-reads the announced comets
 * @param maxNodes comets in one answer at most (goim v2: 5)
 * @param domain goim v2's default domain: answered as {@code domain}, and as the only node
 *     when no comet is announced; "" for none
 * @param hostDomain with platform=web, nodes are each comet's host name followed by this
 *     (goim v2's host domain, e.g. ".goim.io"); "" answers the WebSocket address hosts
 * @param tcpPort the ports answered; 0 for the ports the first comet announced
 * @param cpuWeight how much a comet's announced CPU load lowers its weight, 0..1 (see {@code CometView})
 */
public record NodesConfig(Duration refresh, int maxNodes, String domain, String hostDomain, int tcpPort,
        int wsPort, int wssPort, Duration heartbeat, int heartbeatMax, int backoffMaxDelay, int backoffBaseDelay,
        double backoffFactor, double backoffJitter, double cpuWeight) {

    public static NodesConfig read(Settings s) {
        Settings b = s.section("backoff");
        return new NodesConfig(s.positiveDuration("refresh"), s.intAtLeast("max-nodes", 1), s.string("domain"),
                s.string("host-domain"), portOrZero(s, "tcp-port"), portOrZero(s, "ws-port"), portOrZero(s, "wss-port"),
                s.positiveDuration("heartbeat"), s.intAtLeast("heartbeat-max", 1), b.intAtLeast("max-delay", 0),
                b.intAtLeast("base-delay", 0), number(b, "factor"), number(b, "jitter"), fraction(s, "cpu-weight"));
    }

    private static double fraction(Settings s, String path) {
        double d = number(s, path);
        if (d > 1) {
            throw s.invalid(path, s.string(path), "a number 0..1");
        }
        return d;
    }

    private static int portOrZero(Settings s, String path) {
        int p = s.intAtLeast(path, 0);
        if (p > 65535) {
            throw s.invalid(path, Integer.toString(p), "a port 1..65535, or 0");
        }
        return p;
    }

    private static double number(Settings s, String path) {
        String v = s.string(path);
        try {
            double d = Double.parseDouble(v);
            if (d >= 0 && Double.isFinite(d)) {
                return d;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw s.invalid(path, v, "a number >= 0");
    }
}
