package io.goim.logic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.goim.protocol.RoomKeys;
import io.goim.protocol.SubKey;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads goim v2's auth body, {@code {"mid":123,"key":"…","room_id":"live://1000",
 * "platform":"web","accepts":[1000,1001]}}, for the authenticators. A body is a v2 login
 * when it is a JSON object with a {@code mid} field (goim v2 clients always send one); any
 * other token is left to the v1 rules. Fields other than {@code mid} are optional.
 *
 * <p>A key the client chooses must not look like a subKey ({@code <digits>_<digits>}): those
 * name v1 sessions, and a client could otherwise take another user's pushes.
 *
 * <p>Stateless and thread-safe.
 */
final class V2AuthBody {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Most operations one login may accept: the comet keeps them per connection. */
    static final int MAX_ACCEPTS = 64;

    /** A parsed body: the user id the client claims, its room key ({@code room_id} as sent, "" for none), and the rest. */
    record Parsed(long mid, String room, Authenticator.V2 v2, JsonNode root) {
    }

    private V2AuthBody() {
    }

    /** The parsed body, or null when {@code token} is not a v2 body (not a JSON object with "mid"). */
    static Parsed parse(String token) throws Authenticator.AuthRefusedException {
        String t = token.strip();
        if (t.isEmpty() || t.charAt(0) != '{') {
            return null;
        }
        JsonNode root;
        try {
            root = JSON.readTree(t);
        } catch (IOException e) {
            return null;
        }
        if (root == null || !root.isObject() || !root.has("mid")) {
            return null;
        }
        JsonNode mid = root.get("mid");
        long userId = -1;
        if (mid.canConvertToExactIntegral() && mid.canConvertToLong()) {
            userId = mid.asLong();
        } else if (mid.isTextual() && mid.asText().matches("[0-9]{1,18}")) {
            userId = Long.parseLong(mid.asText());
        }
        if (userId < 0) {
            throw refused("\"mid\": " + mid + " (expected: a user id >= 0)");
        }
        String key = text(root, "key");
        if (key.length() > Authenticator.MAX_KEY_LENGTH) {
            throw refused("\"key\" of " + key.length() + " chars (expected: at most " + Authenticator.MAX_KEY_LENGTH + ")");
        }
        if (!key.isEmpty() && looksLikeSubKey(key)) {
            throw refused("\"key\": " + key + " has the form of a subKey (<user>_<seq>), which names v1 sessions");
        }
        List<Integer> accepts = new ArrayList<>();
        JsonNode a = root.get("accepts");
        if (a != null && !a.isNull()) {
            if (!a.isArray() || a.size() > MAX_ACCEPTS) {
                throw refused("\"accepts\" (expected: an array of at most " + MAX_ACCEPTS + " operations)");
            }
            for (JsonNode op : a) {
                if (!op.canConvertToExactIntegral() || !op.canConvertToInt()) {
                    throw refused("\"accepts\" holds " + op + " (expected: 32-bit operation codes)");
                }
                accepts.add(op.asInt());
            }
        }
        String room = text(root, "room_id");
        String badRoom = room.isEmpty() ? null : RoomKeys.invalid(room);
        if (badRoom != null) {
            throw refused("\"room_id\": " + badRoom);
        }
        return new Parsed(userId, room, new Authenticator.V2(key, text(root, "platform"), accepts), root);
    }

    private static boolean looksLikeSubKey(String key) {
        try {
            SubKey.decode(key);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String text(JsonNode root, String field) throws Authenticator.AuthRefusedException {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return "";
        }
        if (!n.isTextual()) {
            throw refused("\"" + field + "\": " + n + " (expected: a string)");
        }
        return n.asText();
    }

    private static Authenticator.AuthRefusedException refused(String why) {
        return new Authenticator.AuthRefusedException("bad_v2_body", "goim v2 auth body: " + why);
    }
}
