package io.goim.libs.hash;

/**
 * Picks a bucket for a key: a fast, well-mixed hash (the String hash put through
 * MurmurHash3's finalizer), reduced to {@code [0, n)}. Used by comet (subKey to
 * bucket) and router (user id to bucket) to split one big lock into many.
 *
 * <p>Stateless and thread-safe.
 */
public final class Buckets {
    private Buckets() {
    }

    /** Bucket index of {@code key} among {@code n}. */
    public static int index(String key, int n) {
        return Math.floorMod(mix(key.hashCode()), n);
    }

    /** Bucket index of a numeric key among {@code n}. */
    public static int index(long key, int n) {
        return Math.floorMod(mix((int) (key ^ (key >>> 32))), n);
    }

    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
