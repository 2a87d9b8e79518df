package io.goim.comet.session;

/**
 * One connection's place in one {@link Room}: a node of that room's per-loop list. A
 * connection's first room costs nothing extra, the {@link Connection} is itself the
 * node; each further room gets a {@link Membership} node, so connections in one room
 * (every v1 connection) pay nothing for the rooms they do not join.
 *
 * <p>The links are guarded by the lock of the room they point into, and change only
 * while the connection's bucket is locked too, so they may be read under either.
 */
abstract class Member {
    /** The room this node is linked into, or null. */
    public Room room;
    Member prev;
    Member next;

    /** The connection this node stands for. */
    abstract Connection connection();
}
