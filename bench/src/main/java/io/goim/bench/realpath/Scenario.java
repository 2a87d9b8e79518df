package io.goim.bench.realpath;

import com.typesafe.config.Config;
import io.goim.libs.config.InvalidConfigException;
import java.util.Locale;

/**
 * One scenario of the real-path benchmark.
 *
 * @param kind     {@code ROOM}: room pushes through {@code POST /1/push/room?rid=1};
 *                 {@code USER}: pushes to one user ({@code POST /1/push?uid=1});
 *                 {@code LOGIN}: only the login storm; {@code MEMORY}: heap per idle connection;
 *                 {@code HEAL}: the router killed and restarted under idle clients ({@link RouterHeal});
 *                 {@code FRONT_ROOM}, {@code FRONT_USER}: logic's accepted pushes per second with a
 *                 standard HTTP load tool, room pushes or pushes to one online user ({@link FrontDoor})
 * @param websocket clients speak WebSocket (JSON text frames) instead of goim TCP
 * @param clients   how many clients, all in room 1, connecting at once
 * @param rate      messages per second (ROOM, USER)
 * @param baselineBatch messages per write at the minimal server; 0 = no baseline run
 * @param connections keep-alive connections of the HTTP load tool (FRONT_ROOM, FRONT_USER)
 */
record Scenario(String name, Kind kind, boolean websocket, int clients, int rate, int baselineBatch, int connections,
        Targets targets) {
    enum Kind { ROOM, USER, LOGIN, MEMORY, HEAL, FRONT_ROOM, FRONT_USER }

    /**
     * What the scenario must show (issue 9); NaN / negative = not a target here.
     *
     * @param allDelivered  every accepted message reaches every member
     * @param p99Millis     latency p99 at most this
     * @param p99Ratio      latency p99 at most this times the minimal server's
     * @param cpuRatio      deliveries per server CPU-second at least this times the minimal server's
     * @param loginFailures failed login attempts at most this
     * @param heapBytes     heap per idle connection at most this
     * @param healMillis    restarted router ready → every session relearned, at most this
     * @param acceptedPerSecond pushes accepted ({@code ret: 1}, after Kafka's ack) per second, at least this
     */
    record Targets(boolean allDelivered, double p99Millis, double p99Ratio, double cpuRatio, long loginFailures,
            double heapBytes, double healMillis, double acceptedPerSecond) {
        static Targets from(Config c) {
            return new Targets(c.hasPath("target.all-delivered") && c.getBoolean("target.all-delivered"),
                    number(c, "target.p99-ms"), number(c, "target.p99-ratio"), number(c, "target.cpu-ratio"),
                    c.hasPath("target.login-failures") ? c.getLong("target.login-failures") : -1,
                    c.hasPath("target.heap-bytes") ? c.getBytes("target.heap-bytes") : Double.NaN,
                    number(c, "target.heal-ms"), number(c, "target.accepted-per-second"));
        }

        private static double number(Config c, String path) {
            return c.hasPath(path) ? c.getDouble(path) : Double.NaN;
        }
    }

    static Scenario from(String name, Config c) {
        Kind kind;
        try {
            kind = Kind.valueOf(c.getString("kind").toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("bench.realpath.scenario." + name + ".kind = " + c.getString("kind")
                    + " (expected: room, user, login, memory, heal, front-room or front-user)");
        }
        String transport = c.getString("transport");
        if (!transport.equals("tcp") && !transport.equals("ws")) {
            throw new InvalidConfigException("bench.realpath.scenario." + name + ".transport = " + transport
                    + " (expected: tcp or ws)");
        }
        int clients = c.getInt("clients");
        int rate = c.hasPath("rate") ? c.getInt("rate") : 0;
        if (clients < 1 || ((kind == Kind.ROOM || kind == Kind.USER || kind == Kind.HEAL) && rate < 1)) {
            throw new InvalidConfigException("bench.realpath.scenario." + name + ": clients >= 1 and rate >= 1 needed");
        }
        int connections = c.hasPath("connections") ? c.getInt("connections") : 0;
        if ((kind == Kind.FRONT_ROOM || kind == Kind.FRONT_USER) && connections < 1) {
            throw new InvalidConfigException("bench.realpath.scenario." + name + ": connections >= 1 needed");
        }
        return new Scenario(name, kind, transport.equals("ws"), clients, rate,
                c.hasPath("baseline-batch") ? c.getInt("baseline-batch") : 0, connections, Targets.from(c));
    }

    String describe() {
        String who = String.format("%,d %s clients", clients, websocket ? "WebSocket" : "TCP");
        return switch (kind) {
            case ROOM -> who + ", room pushes at " + rate + " msgs/s"
                    + (baselineBatch > 0 ? ", baseline " + (baselineBatch == 1 ? "unbatched" : "batches of " + baselineBatch) : "");
            case USER -> who + ", pushes to user 1 at " + rate + " msgs/s";
            case LOGIN -> who + " logging in at once";
            case MEMORY -> who + " held idle: heap per connection";
            case HEAL -> who + " idle, router killed and restarted; pushes to user 1 at " + rate + " msgs/s meanwhile";
            case FRONT_ROOM -> "front door: room pushes as fast as " + connections + " keep-alive connections go (wrk)";
            case FRONT_USER -> "front door: pushes to user 1 (online: " + who + ") as fast as " + connections
                    + " keep-alive connections go (wrk)";
        };
    }
}
