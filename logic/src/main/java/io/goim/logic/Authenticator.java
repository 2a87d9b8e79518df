package io.goim.logic;

import io.goim.libs.protocol.RoomKeys;

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
     * "live://1000" for a typed room; {@link #NO_ROOM} for none; see libs' RoomKeys).
     */
    record Identity(long userId, String room) {
    }

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
