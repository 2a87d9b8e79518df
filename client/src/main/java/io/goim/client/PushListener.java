package io.goim.client;

/**
 * Receives what happens on a {@link GoimClient}'s connection. Methods are called on the
 * client's event loop thread, one at a time: return quickly and hand long work elsewhere.
 */
public interface PushListener {

    /** The server accepted the token (op 8). Called again after every reconnect. */
    default void onAuthenticated() {
    }

    /**
     * A push arrived (op 5), or another server packet the client does not handle itself.
     * Over TCP {@code body} is the pushed bytes; over WebSocket it is the JSON text of the
     * packet's {@code body} (a push that was not JSON arrives as a JSON string).
     */
    void onPush(int op, byte[] body);

    /**
     * The connection closed or could not be opened; the client tries again after
     * {@code retryInMillis} (negative when it was closed on purpose and will not retry).
     */
    default void onDisconnected(Throwable cause, long retryInMillis) {
    }
}
