package io.goim.router.session;

/**
 * Where one connection lives (comet server, rooms) and when a comet last vouched for it.
 * Also a node of its shard's {@link ConnLru}, so refreshing or forgetting it is O(1)
 * and costs no allocation.
 *
 * <p>Not thread-safe: guarded by its {@link SessionShard}'s lock.
 */
class Conn {
    final long userId;
    final int seq;
    final int server;
    /**
     * The rooms, a room set (room keys separated by '\n'; empty for none; see libs'
     * RoomKeys); changed only by a Touch that reports other rooms.
     */
    String rooms;
    /** {@link SessionStore}'s clock reading at the last Put or Touch. */
    long touchedNanos;
    Conn prev;
    Conn next;

    Conn(long userId, int seq, int server, String rooms) {
        this.userId = userId;
        this.seq = seq;
        this.server = server;
        this.rooms = rooms;
    }
}
