package io.goim.protocol;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Room keys: how every tier names a room (docs/protocol.md, "Rooms"). A goim v2 room is
 * named {@code type://id} ({@code live://1000}); a v1 room is an integer, and v1's room
 * {@code N} is the key {@code "N"} (its canonical decimal text), so v1's HTTP API, which
 * speaks room numbers, maps onto the same keys. The empty key means "no room".
 *
 * <p>A connection's rooms travel as one string, a <em>room set</em>: its room keys in
 * join order separated by {@code '\n'} (a key never holds a control character). One room
 * is the room set of itself, so the common case costs nothing to encode.
 */
public final class RoomKeys {
    /** No room. */
    public static final String NONE = "";
    /** Separator of the keys in a room set. */
    public static final char SEPARATOR = '\n';
    /** Longest room key, in UTF-8 bytes. */
    public static final int MAX_BYTES = 128;

    /** The keys of v1 rooms 0..{@value #CACHED}-1, made once: v1 pushes to small rooms build no string. */
    private static final int CACHED = 1024;
    private static final String[] SMALL = new String[CACHED];

    static {
        for (int i = 0; i < CACHED; i++) {
            SMALL[i] = Integer.toString(i).intern();
        }
    }

    private RoomKeys() {
    }

    /** The key of v1 room {@code id}; {@link #NONE} for a negative id (v1's "no room", -1). */
    public static String ofV1(int id) {
        if (id < 0) {
            return NONE;
        }
        return id < CACHED ? SMALL[id] : Integer.toString(id);
    }

    /**
     * The v1 room number of {@code key}, or -1 when it is not the canonical decimal text
     * of a number {@code >= 0} within int range (a typed room, "007", "+1", none).
     */
    public static int v1Id(String key) {
        int n = key.length();
        if (n == 0 || n > 10 || (n > 1 && key.charAt(0) == '0')) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            char ch = key.charAt(i);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            v = v * 10 + (ch - '0');
        }
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    /**
     * Why {@code key} cannot name a room, or null when it can: 1 to {@value #MAX_BYTES}
     * UTF-8 bytes, no control character (they separate room sets and log lines).
     */
    public static String invalid(String key) {
        if (key.isEmpty()) {
            return "an empty room key";
        }
        for (int i = 0; i < key.length(); i++) {
            char ch = key.charAt(i);
            if (ch < 0x20 || ch == 0x7f) {
                return "a room key with a control character";
            }
        }
        if (key.length() > MAX_BYTES / 3 && key.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return "a room key longer than " + MAX_BYTES + " bytes";
        }
        return null;
    }

    /**
     * Why room set {@code rooms} is malformed, or null when it is well formed: empty, or
     * valid keys separated by {@link #SEPARATOR}.
     */
    public static String invalidSet(String rooms) {
        if (rooms.isEmpty()) {
            return null;
        }
        for (String key : split(rooms)) {
            String problem = invalid(key);
            if (problem != null) {
                return problem;
            }
        }
        return rooms.charAt(0) == SEPARATOR || rooms.charAt(rooms.length() - 1) == SEPARATOR
                || rooms.contains("\n\n") ? "a room set with an empty key" : null;
    }

    /**
     * {@code key} itself, or the one shared instance of the same v1 room key for rooms below
     * {@value #CACHED}, so a store that keeps the key of every connection (the router) keeps
     * one copy of the common ones instead of one per connection.
     */
    public static String canonical(String key) {
        int n = key.length();
        if (n == 0) {
            return NONE;
        }
        if (n > 4) {
            return key;
        }
        int id = v1Id(key);
        return id >= 0 && id < CACHED ? SMALL[id] : key;
    }

    /** The keys of room set {@code rooms}, in order; empty for {@link #NONE}. */
    public static List<String> split(String rooms) {
        if (rooms.isEmpty()) {
            return List.of();
        }
        int sep = rooms.indexOf(SEPARATOR);
        if (sep < 0) {
            return List.of(rooms);
        }
        List<String> keys = new ArrayList<>(4);
        int from = 0;
        while (sep >= 0) {
            if (sep > from) {
                keys.add(rooms.substring(from, sep));
            }
            from = sep + 1;
            sep = rooms.indexOf(SEPARATOR, from);
        }
        if (from < rooms.length()) {
            keys.add(rooms.substring(from));
        }
        return keys;
    }

    /** The room set of {@code keys}, in order. */
    public static String join(List<String> keys) {
        return keys.size() == 1 ? keys.get(0) : String.join(String.valueOf(SEPARATOR), keys);
    }
}
