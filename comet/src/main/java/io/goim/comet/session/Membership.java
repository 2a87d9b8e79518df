package io.goim.comet.session;

/**
 * A connection's membership of a room beyond its first (several rooms per connection):
 * a node of that room's list, and of the connection's own singly linked list of extra
 * memberships ({@link Connection#extra}), which holds at most
 * {@code comet.max-rooms-per-connection} - 1 nodes.
 *
 * <p>Guarded by the connection's bucket's lock (and the room's, for the room links).
 */
final class Membership extends Member {
    final Connection connection;
    /** The connection's next extra membership, or null. */
    Membership nextExtra;

    Membership(Connection connection) {
        this.connection = connection;
    }

    @Override
    Connection connection() {
        return connection;
    }
}
