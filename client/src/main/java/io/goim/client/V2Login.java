package io.goim.client;

import java.util.Arrays;
import java.util.Objects;

/**
 * A goim v2 login (docs/protocol.md, "goim v2 clients"): the auth body
 * {@code {"mid":123,"key":"web-123","room_id":"live://1000","platform":"web","accepts":[1000,1001]}},
 * or with a signed token ({@code JwtAuthenticator}) {@code {"token":"<JWT>","accepts":[...],"platform":"web"}}.
 *
 * <pre>
 * V2Login login = V2Login.mid(123).key("web-123").room("live://1000").platform("web").accepts(1000, 1001);
 * </pre>
 *
 * <p>Immutable: every {@code with}-style method returns a copy.
 */
public final class V2Login {
    final long mid;
    final String token;
    final String key;
    final String room;
    final String platform;
    final int[] accepts;

    private V2Login(long mid, String token, String key, String room, String platform, int[] accepts) {
        this.mid = mid;
        this.token = token;
        this.key = key;
        this.room = room;
        this.platform = platform;
        this.accepts = accepts;
    }

    /** A login as user {@code mid}, trusted as goim v2's default authenticator trusts it. */
    public static V2Login mid(long mid) {
        return new V2Login(mid, null, "", "", "", new int[0]);
    }

    /**
     * A login with a signed token: user, room and key come from its claims, so the client
     * does not know its first room until it changes it.
     */
    public static V2Login token(String jwt) {
        return new V2Login(0, Objects.requireNonNull(jwt, "jwt"), "", null, "", new int[0]);
    }

    /** The connection's key (empty: the server makes one, {@code <mid>_<seq>}). Not with {@link #token}. */
    public V2Login key(String key) {
        requireMid("key");
        return new V2Login(mid, token, Objects.requireNonNull(key, "key"), room, platform, accepts);
    }

    /** The room to log in to, e.g. {@code live://1000} (empty: none). Not with {@link #token}. */
    public V2Login room(String roomKey) {
        requireMid("room");
        return new V2Login(mid, token, key, Objects.requireNonNull(roomKey, "roomKey"), platform, accepts);
    }

    public V2Login platform(String platform) {
        return new V2Login(mid, token, key, room, Objects.requireNonNull(platform, "platform"), accepts);
    }

    /** The operations the connection receives (goim v2's accepts; none: it receives no push). */
    public V2Login accepts(int... ops) {
        return new V2Login(mid, token, key, room, platform, Arrays.stream(ops).sorted().distinct().toArray());
    }

    private void requireMid(String what) {
        if (token != null) {
            throw new IllegalStateException(what + ": a token login takes it from the token's claims");
        }
    }

    @Override
    public String toString() {
        return (token != null ? "token login" : "mid " + mid + ", key \"" + key + "\", room \"" + room + "\"")
                + ", platform \"" + platform + "\", accepts " + Arrays.toString(accepts);
    }
}
