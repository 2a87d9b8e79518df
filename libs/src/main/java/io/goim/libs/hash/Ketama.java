package io.goim.libs.hash;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A ketama consistent-hash ring: each node is placed at {@code pointsPerNode} points
 * derived from MD5 of its name, and a key belongs to the first point clockwise from the
 * key's hash. Adding or removing one node moves only that node's share of keys. Logic
 * uses it to map user ids to routers, with the router ids as node names, so every logic
 * with the same router list agrees on every user.
 *
 * <p>Immutable and thread-safe; a lookup is one hash and a binary search.
 *
 * @param <T> what a node carries (a router's client)
 */
public final class Ketama<T> {
    /** goim's default number of virtual points per node. */
    public static final int DEFAULT_POINTS = 255;

    private final long[] points;
    private final Object[] owners;

    /**
     * @param nodes node name to value; names must be stable across processes
     * @param pointsPerNode virtual points per node (more gives a smoother spread)
     */
    public Ketama(Map<String, T> nodes, int pointsPerNode) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("nodes: empty (expected: at least one)");
        }
        if (pointsPerNode < 1) {
            throw new IllegalArgumentException("pointsPerNode: " + pointsPerNode + " (expected: >= 1)");
        }
        TreeMap<Long, T> ring = new TreeMap<>();
        List<String> names = nodes.keySet().stream().sorted().toList();
        for (String name : names) {
            T value = Objects.requireNonNull(nodes.get(name), name);
            for (int i = 0; i < pointsPerNode; i++) {
                // Ties between nodes go to the name that sorts first, the same everywhere.
                ring.putIfAbsent(hash(name + "-" + i), value);
            }
        }
        points = new long[ring.size()];
        owners = new Object[ring.size()];
        int i = 0;
        for (Map.Entry<Long, T> e : ring.entrySet()) {
            points[i] = e.getKey();
            owners[i] = e.getValue();
            i++;
        }
    }

    /** The node that owns {@code key}. */
    @SuppressWarnings("unchecked")
    public T node(String key) {
        long h = hash(key);
        int i = Arrays.binarySearch(points, h);
        if (i < 0) {
            i = -i - 1;
            if (i == points.length) {
                i = 0;
            }
        }
        return (T) owners[i];
    }

    /** The node that owns a numeric key (a user id). */
    public T node(long key) {
        return node(Long.toString(key));
    }

    /** The first four bytes of MD5, as an unsigned 32-bit value. */
    static long hash(String key) {
        byte[] d = md5().digest(key.getBytes(StandardCharsets.UTF_8));
        return ((long) (d[3] & 0xff) << 24) | ((long) (d[2] & 0xff) << 16) | ((long) (d[1] & 0xff) << 8) | (d[0] & 0xff);
    }

    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every JVM", e);
        }
    });

    private static MessageDigest md5() {
        MessageDigest md = MD5.get();
        md.reset();
        return md;
    }
}
