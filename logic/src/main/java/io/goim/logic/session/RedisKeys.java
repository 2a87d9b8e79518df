package io.goim.logic.session;

/**
 * The Redis session store's key layout (docs/operations.md, "Session store"), after goim
 * v2's {@code mid_<mid>} and {@code ol_<server>}:
 *
 * <ul>
 *   <li>{@code mid_<mid>}: hash, one user: field {@code <mid>_<seq>} (the subKey) to
 *       {@code "<server>,<rooms>,<deadline ms>"} (rooms: the connection's room set, room
 *       keys separated by '\n', empty for none; "-1" in sessions written before room keys), and field {@code seq} to the last seq handed
 *       out, and, for a connection whose goim v2 client chose its key, field {@code k<mid>_<seq>} to
 *       that key (a push by mid reaches the connection under the key its comet knows it by).
 *       For {@link #RECENT_MILLIS}: field {@code l<login id>} to {@code "<seq>,<ms>"} (the seq a
 *       login got, 0 when it was undone) and {@code e<seq>} to {@code "<ms>"} (a seq deleted by
 *       name), so a repeated or late Connect and a renew crossing a Disconnect store nothing.
 *       TTL: the session expiry, refreshed by every Connect, Renew and Disconnect of the user;
 *       the hash outlives the user's last connection, so {@code seq} only grows and no seq is
 *       handed out twice (docs/router-sessions.md, "Session identity").
 *   <li>{@code ol_{<server>}}: hash, one comet's online counts: {@code n} its connections,
 *       {@code r<room key>} its connections in that room. TTL refreshed by the comet's logins
 *       and renews, so a comet that died disappears from the counts after one expiry.
 *   <li>{@code olc_{<server>}}: hash, the differences between that comet's counts here and
 *       its own, as seen at its last report ({@code comet.online-interval}): a difference seen
 *       twice in a row is corrected (recount.lua). TTL: the session expiry.
 *   <li>{@code olr_{<server>}}: hash, the fields listed so far by that comet's report when it
 *       is split over several calls (a comet with more rooms than one call carries), with
 *       {@code :round} and {@code :parts} seen, so the last part knows which rooms no part
 *       listed (recount.lua). TTL: the session expiry.
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
 *       refreshed by the owner's renews; the newest login takes it over. The owner's Disconnect
 *       deletes it (unless a newer login took it over meanwhile).
 *   <li>{@code goim_incarnation}: a random id set once (SET NX, no TTL); a Redis that
 *       restarted empty has none, a new one is drawn, and comets re-announce.
 * </ul>
 *
 * <p>The braces are Redis Cluster hash tags: a comet's keys share a slot, so one
 * script can update both. Each user has a single key, so a script on it never crosses
 * slots either.
 */
final class RedisKeys {
    static final String SERVERS = "ol_servers";
    static final String INCARNATION = "goim_incarnation";
    /**
     * How long a user's hash remembers login ids and seqs deleted by name: as the router's
     * {@code Session.RECENT_NANOS}, well past the longest a comet's Connect (logic-timeout +
     * login-timeout), its retries and its Disconnect retries can arrive late.
     */
    static final long RECENT_MILLIS = 120_000;

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

    /** The field of a user's hash that holds the key the client of connection {@code subKey} chose. */
    static String clientKeyField(String subKey) {
        return CLIENT_KEY_FIELD_PREFIX + subKey;
    }

    /** Whether {@code field} of a user's hash is a client key field (session fields start with the user id). */
    static boolean isClientKeyField(String field) {
        return field.startsWith(CLIENT_KEY_FIELD_PREFIX);
    }

    /** Whether {@code field} of a user's hash is a connection ({@code <mid>_<seq>}, starting with a digit). */
    static boolean isSessionField(String field) {
        return !field.isEmpty() && field.charAt(0) >= '0' && field.charAt(0) <= '9';
    }

    /** The prefix of a user's client key fields. */
    static final String CLIENT_KEY_FIELD_PREFIX = "k";

    static String serverCounts(int server) {
        return "ol_{" + server + "}";
    }

    /** A comet's count differences seen at its last report (recount.lua), in its count hash's slot. */
    static String countDifferences(int server) {
        return "olc_{" + server + "}";
    }

    /** The fields a comet's split report listed so far (recount.lua), in its count hash's slot. */
    static String reportParts(int server) {
        return "olr_{" + server + "}";
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
