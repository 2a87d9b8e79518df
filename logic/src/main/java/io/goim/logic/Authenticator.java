package io.goim.logic;

import io.goim.protocol.RoomKeys;
import java.util.List;

/**
 * Turns a client's token into the identity its connection runs under. Logic picks the
 * implementation from {@code logic.auth.class}; one instance serves every call, from
 * many threads at once, and must not block for long (it runs on gRPC's executor).
 *
 * <p>Over TCP the token is the body of the client's op 7 packet; over WebSocket it is
 * the raw JSON text of {@code body}.
 */
public interface Authenticator {

    /**
     * Who a connection is: a user and the room it joins, by room key ("1" for v1's room 1,
     * "live://1000" for a typed room; {@link #NO_ROOM} for none; see libs' RoomKeys), and for
     * a goim v2 login what else its auth body said ({@code v2}; null for a v1 login).
     */
    record Identity(long userId, String room, V2 v2) {
        /** A v1 login. */
        public Identity(long userId, String room) {
            this(userId, room, null);
        }
    }

    /**
     * What a goim v2 auth body adds to the identity: {@code {"mid":123,"key":"…","room_id":"live://1000",
     * "platform":"web","accepts":[1000,1001]}} (its {@code room_id} is the identity's room).
     * The connection receives only the operations in {@code accepts} (ops 14 and 16 change
     * them later); its key is {@code key}, or its subKey when {@code key} is empty.
     *
     * @param key the key the client chose, "" to have one generated (the subKey)
     * @param platform as sent, "" for none; informational
     * @param accepts the operations the connection accepts, in the order sent
     */
    record V2(String key, String platform, List<Integer> accepts) {
        public V2 {
            accepts = List.copyOf(accepts);
        }
    }

    /** Longest key a client may choose (the routers refuse longer ones). */
    int MAX_KEY_LENGTH = 256;

    /** The room key of a connection in no room. */
    String NO_ROOM = RoomKeys.NONE;

    /**
     * @return the identity, never null
     * @throws AuthRefusedException when the token is not acceptable; the message is
     *     sent back to the comet and logged
     */
    Identity authenticate(String token) throws AuthRefusedException;

    /**
     * A token was refused. {@link #reason()} is a short fixed word (e.g. {@code expired},
     * {@code bad_signature}) that logic counts refusals by, so it must come from a small set.
     */
    final class AuthRefusedException extends Exception {
        private static final long serialVersionUID = 1L;
        /** The reason of refusals that give none. */
        public static final String REFUSED = "refused";

        private final String reason;

        public AuthRefusedException(String message) {
            this(REFUSED, message);
        }

        public AuthRefusedException(String reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }

        public String reason() {
            return reason;
        }
    }
}
