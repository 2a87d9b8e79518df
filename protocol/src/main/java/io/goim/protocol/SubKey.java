package io.goim.protocol;

/**
 * A connection's key in the cluster: {@code "<userId>_<seq>"}, where {@code seq} is the
 * per-user sequence number the user's router handed out. One user may hold many.
 */
public record SubKey(long userId, int seq) {

    /** The textual form, {@code "<userId>_<seq>"}. */
    public static String encode(long userId, int seq) {
        return userId + "_" + seq;
    }

    /**
     * Parses {@code "<userId>_<seq>"}.
     *
     * @throws IllegalArgumentException with a message naming the key when it is malformed
     */
    public static SubKey decode(String key) {
        int sep = key.indexOf('_');
        if (sep <= 0 || sep == key.length() - 1) {
            throw new IllegalArgumentException("subKey " + key + " (expected: <userId>_<seq>)");
        }
        try {
            return new SubKey(Long.parseLong(key, 0, sep, 10), Integer.parseInt(key, sep + 1, key.length(), 10));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("subKey " + key + " (expected: <userId>_<seq>)");
        }
    }

    @Override
    public String toString() {
        return encode(userId, seq);
    }
}
