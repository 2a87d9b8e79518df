package io.goim.logic;

/**
 * goim's default authenticator. A goim v2 auth body ({@code {"mid":123,"key":"…",
 * "room_id":"live://1000","platform":"web","accepts":[1000,1001]}}, see {@link V2AuthBody})
 * is that user, trusted as goim v2 trusts it, with its key, room and accepted operations.
 * Otherwise (v1) a token that is a decimal number is that user id, in room 1. A JSON string holding such a number ({@code "1000"}, as WebSocket clients may
 * send) is unwrapped first. Any other token is goim's anonymous user 0 in no room, or
 * refused when anonymous users are switched off.
 *
 * <p>Stateless and thread-safe.
 */
public final class DefaultAuthenticator implements Authenticator {
    /** The room every authenticated user joins, as in goim: v1's room 1. */
    public static final String DEFAULT_ROOM = "1";

    private final boolean allowAnonymous;

    public DefaultAuthenticator(boolean allowAnonymous) {
        this.allowAnonymous = allowAnonymous;
    }

    @Override
    public Identity authenticate(String token) throws AuthRefusedException {
        V2AuthBody.Parsed v2 = V2AuthBody.parse(token);
        if (v2 != null) {
            return new Identity(v2.mid(), v2.room(), v2.v2());
        }
        String t = token.strip();
        if (t.length() >= 2 && t.charAt(0) == '"' && t.charAt(t.length() - 1) == '"') {
            t = t.substring(1, t.length() - 1).strip();
        }
        long userId = parseUserId(t);
        if (userId >= 0) {
            return new Identity(userId, DEFAULT_ROOM);
        }
        if (allowAnonymous) {
            return new Identity(0, NO_ROOM);
        }
        throw new AuthRefusedException("token is not a user id");
    }

    /** The decimal user id in {@code t}, or -1 when {@code t} is not one. */
    private static long parseUserId(String t) {
        if (t.isEmpty() || t.length() > 19) {
            return -1;
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
