package io.goim.logic;

/**
 * The Redis session store's key layout (docs/operations.md, "Session store"), after goim
 * v2's {@code mid_<mid>} and {@code ol_<server>}:
 *
 * <ul>
 *   <li>{@code mid_<mid>}: hash, one user: field {@code <mid>_<seq>} (the subKey) to
 *       {@code "<server>,<rooms>,<deadline ms>"} (rooms: the connection's room set, room
 *       keys separated by '\n', empty for none; "-1" in sessions written before room keys), and field {@code seq} to the last seq handed
 *       out. TTL: the session expiry, refreshed by every Connect and Renew of the user.
 *   <li>{@code ol_{<server>}}: hash, one comet's online counts: {@code n} its connections,
 *       {@code r<room key>} its connections in that room. TTL refreshed by the comet's logins
 *       and renews, so a comet that died disappears from the counts after one expiry.
 *   <li>{@code olu_{<server>}}: set of the user ids with connections on that comet, so
 *       forgetting a dead comet does not scan every user.
 *   <li>{@code ol_servers}: sorted set, comet id scored by when logic last heard from it
 *       (ms), for the counts and for {@code /1/server/del}'s alive window.
 *   <li>{@code comet_{<server>}}: string, one comet's announcement (comet discovery):
 *       {@code "<incarnation>:<base64 of the CometInstance protobuf>"}, with the announced
 *       time to live (PX), renewed by every announcement.
 *   <li>{@code comets}: set of the server ids announced; an id whose announcement expired is
 *       removed when the set is next read.
 *   <li>{@code key_<key>}: string, a key a goim v2 client chose, as goim v2 names it:
 *       {@code "<server>,<subKey>"} of the connection that owns it. TTL: the session expiry,
 *       refreshed by the owner's renews; the newest login takes it over. A Disconnect leaves
 *       it to expire: a push to it meanwhile reaches a comet that no longer has the key.
 *   <li>{@code goim_incarnation}: a random id set once (SET NX, no TTL); a Redis that
 *       restarted empty has none, a new one is drawn, and comets re-announce.
 * </ul>
 *
 * <p>The braces are Redis Cluster hash tags: a comet's two keys share a slot, so one
 * script can update both. Each user has a single key, so a script on it never crosses
 * slots either.
 */
final class RedisKeys {
    static final String SERVERS = "ol_servers";
    static final String INCARNATION = "goim_incarnation";
    /** The hash field of a user's last seq. */
    static final String SEQ_FIELD = "seq";
    /** The hash field of a comet's total count. */
    static final String TOTAL_FIELD = "n";

    private RedisKeys() {
    }

    static final String COMETS = "comets";

    static String comet(int server) {
        return "comet_{" + server + "}";
    }

    static String user(long userId) {
        return "mid_" + userId;
    }

    static String clientKey(String key) {
        return "key_" + key;
    }

    static String serverCounts(int server) {
        return "ol_{" + server + "}";
    }

    static String serverUsers(int server) {
        return "olu_{" + server + "}";
    }

    /** The prefix of a room's field in a comet's count hash. */
    static final String ROOM_PREFIX = "r";

    /** The count field of room key {@code room}: "r1" for v1's room 1, "rlive://1000" for a typed room. */
    static String roomField(String room) {
        return ROOM_PREFIX + room;
    }

    /** The room key of a count field made by {@link #roomField}. */
    static String roomOfField(String field) {
        return field.substring(ROOM_PREFIX.length());
    }

    /**
     * The Redis Cluster slot of {@code key} (CRC16/XMODEM of the hash tag, or of the whole
     * key without one, modulo 16384), as the cluster computes it.
     */
    static int slot(String key) {
        int open = key.indexOf('{');
        if (open >= 0) {
            int close = key.indexOf('}', open + 1);
            if (close > open + 1) {
                key = key.substring(open + 1, close);
            }
        }
        int crc = 0;
        for (byte b : key.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            crc ^= (b & 0xff) << 8;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            crc &= 0xffff;
        }
        return crc % 16384;
    }
}
