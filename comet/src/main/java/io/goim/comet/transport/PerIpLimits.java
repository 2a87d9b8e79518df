package io.goim.comet.transport;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The per-address limits on client connections: at most {@code maxConnections} open at a
 * time from one address, and new ones from it at most {@code rate} per second, in bursts
 * of up to {@code burst} (a connection carries at most one login, so this bounds the
 * address's logins too). An IPv6 client is counted by its /64, the block one subscriber
 * is usually given, so an address picked from it does not escape the limits.
 *
 * <p>The rate is a token bucket kept as one timestamp per address (GCRA): {@code tat},
 * when the address's bucket is full again. An address is forgotten once it has no open
 * connection and its bucket is full, so the table holds the addresses with connections
 * open plus those that connected within the last {@code burst / rate} seconds.
 *
 * <p>Not thread-safe: confined to the accept loop ({@link PerIpGate}).
 */
public final class PerIpLimits {
    /** Why a connection was refused; null when it was admitted. */
    public enum Refusal {
        CONNECTIONS("per_ip_connections"),
        LOGIN_RATE("per_ip_login_rate");

        public final String label;

        Refusal(String label) {
            this.label = label;
        }
    }

    private static final class Address {
        int open;
        /** When this address's bucket is full again (nanoTime); at or before now: full. */
        long tat;
    }

    private final int maxConnections;
    private final long interval;
    private final long tolerance;
    private final Map<Long, Address> addresses = new HashMap<>();
    /** Addresses with at least one connection open (goim v2's ip_count). */
    private int withOpen;
    private int sweepAbove = 1024;

    /**
     * @param maxConnections open connections per address, 0 for no limit
     * @param rate           new connections per address per second, 0 for no limit
     * @param burst          new connections an address may open at once (at least 1 when rate is set)
     */
    PerIpLimits(int maxConnections, int rate, int burst) {
        this.maxConnections = maxConnections;
        this.interval = rate == 0 ? 0 : Math.max(1, 1_000_000_000L / rate);
        this.tolerance = interval * Math.max(1, burst);
    }

    /** The key a client address is counted under: its IPv4 address, or its IPv6 /64. */
    static long key(SocketAddress remote) {
        if (remote instanceof InetSocketAddress isa && isa.getAddress() != null) {
            InetAddress a = isa.getAddress();
            byte[] b = a.getAddress();
            long k = 0;
            if (a instanceof Inet6Address) {
                for (int i = 0; i < 8; i++) {
                    k = k << 8 | (b[i] & 0xff);
                }
                return k;
            }
            for (byte x : b) {
                k = k << 8 | (x & 0xff);
            }
            // Tagged so an IPv4 key never equals a unicast IPv6 /64 (ffff:ffff::/32 is not one).
            return 0xFFFF_FFFF_0000_0000L | k;
        }
        return 0; // not an IP connection: all counted together
    }

    /** Admits one more connection from {@code key} at {@code now} (nanoTime) and counts it open; or says why not. */
    Refusal admit(long key, long now) {
        Address a = addresses.get(key);
        if (a == null) {
            if (addresses.size() >= sweepAbove) {
                sweep(now);
            }
            a = new Address();
            a.tat = now;
        }
        if (maxConnections > 0 && a.open >= maxConnections) {
            return Refusal.CONNECTIONS;
        }
        if (interval > 0) {
            long tat = a.tat - now > 0 ? a.tat + interval : now + interval;
            if (tat - now > tolerance) {
                return Refusal.LOGIN_RATE;
            }
            a.tat = tat;
        }
        if (a.open++ == 0) {
            withOpen++;
        }
        addresses.putIfAbsent(key, a);
        return null;
    }

    /** A connection admitted from {@code key} closed. */
    void closed(long key, long now) {
        Address a = addresses.get(key);
        if (a == null || a.open <= 0) {
            return;
        }
        if (--a.open == 0) {
            withOpen--;
            if (a.tat - now <= 0) {
                addresses.remove(key);
            }
        }
    }

    /** Open connections from {@code key}. */
    int open(long key) {
        Address a = addresses.get(key);
        return a == null ? 0 : a.open;
    }

    /** Addresses (IPv6: /64s) with at least one connection open. */
    int addressesOpen() {
        return withOpen;
    }

    /** Addresses remembered: with connections open, or whose rate bucket is not full yet. */
    int addresses() {
        return addresses.size();
    }

    /** Forgets addresses with nothing open and a full bucket; runs when the table doubled since the last sweep. */
    private void sweep(long now) {
        addresses.values().removeIf(a -> a.open <= 0 && a.tat - now <= 0);
        sweepAbove = Math.max(1024, 2 * addresses.size());
    }
}
