package io.goim.libs.discovery;

import io.goim.libs.config.HostPort;
import io.goim.libs.config.InvalidConfigException;
import io.goim.proto.CometInstance;
import java.util.ArrayList;
import java.util.List;

/**
 * What makes a comet's announcement (proto CometInstance) acceptable, checked by logic
 * when it arrives and again by each router that stores it: a store only ever holds
 * entries job and the nodes API can use.
 */
public final class Announcements {
    /** Shortest time to live: below it an announcement would expire between two renewals. */
    public static final long MIN_TTL_MS = 1_000;
    /** Longest time to live: a dead comet must not linger in job and the nodes API for longer. */
    public static final long MAX_TTL_MS = 3_600_000;
    /** Addresses of one kind in one announcement at most. */
    public static final int MAX_ADDRESSES = 16;

    private Announcements() {
    }

    /** Null when {@code c} is acceptable; otherwise what is wrong, for an INVALID_ARGUMENT description. */
    public static String problem(CometInstance c) {
        if (c.getServer() <= 0) {
            return "server " + c.getServer() + " (expected: a comet id > 0)";
        }
        if (c.getTtlMs() < MIN_TTL_MS || c.getTtlMs() > MAX_TTL_MS) {
            return "ttl_ms " + c.getTtlMs() + " (expected: " + MIN_TTL_MS + ".." + MAX_TTL_MS + ")";
        }
        if (c.getGrpc().isEmpty()) {
            return "comet " + c.getServer() + " announced no gRPC address (job could not reach it)";
        }
        if (c.getWeight() < 0) {
            return "weight " + c.getWeight() + " (expected: >= 0)";
        }
        if (c.getTcpCount() > MAX_ADDRESSES || c.getWebsocketCount() > MAX_ADDRESSES
                || c.getTlsTcpCount() > MAX_ADDRESSES || c.getWssCount() > MAX_ADDRESSES) {
            return "comet " + c.getServer() + " announced more than " + MAX_ADDRESSES + " addresses of one kind";
        }
        List<String> all = new ArrayList<>(c.getTcpList());
        all.addAll(c.getWebsocketList());
        all.addAll(c.getTlsTcpList());
        all.addAll(c.getWssList());
        all.add(c.getGrpc());
        for (String a : all) {
            try {
                HostPort.parse("address", a);
            } catch (InvalidConfigException e) {
                return "comet " + c.getServer() + " announced address " + a + " (expected: host:port)";
            }
        }
        return null;
    }
}
