package io.goim.router.session;

/**
 * A connection whose client chose its key (a goim v2 login): the key a push names it by.
 * A subclass rather than a field of {@link Conn}, so the sessions of clients that did not
 * choose a key (every v1 client) keep their size: only these pay for the key and its entry
 * in the store's key index.
 */
final class KeyedConn extends Conn {
    final String key;

    KeyedConn(long userId, int seq, int server, String rooms, String key) {
        super(userId, seq, server, rooms);
        this.key = key;
    }
}
