package io.goim.comet.session;

import io.goim.comet.Whitelist;
import io.goim.comet.cluster.DisconnectNotifier;
import io.netty.channel.EventLoop;
import java.util.function.Consumer;

/**
 * The steps that begin and end a session in the connection registry, written once:
 * register an authenticated connection (replacing a stale one under its key), and
 * unregister a closed one, telling logic.
 *
 * <p>Thread-safe; one instance per comet.
 */
public final class Sessions {
    private final ConnectionRegistry registry;
    private final Whitelist whitelist;
    private final DisconnectNotifier disconnects;
    private final Consumer<EventLoop> loopInUse;

    /**
     * @param disconnects tells logic a session ended
     * @param loopInUse told of the event loop of each connection registered (the push side
     *     keeps an outbox for every loop that holds connections)
     */
    public Sessions(ConnectionRegistry registry, Whitelist whitelist, DisconnectNotifier disconnects,
            Consumer<EventLoop> loopInUse) {
        this.registry = registry;
        this.whitelist = whitelist;
        this.disconnects = disconnects;
        this.loopInUse = loopInUse;
    }

    /**
     * Makes an authenticated connection reachable by its subKey and in room {@code roomKey}
     * (none when empty); closes a stale one under the same key.
     */
    void register(Connection c, String roomKey) {
        loopInUse.accept(c.channel.eventLoop()); // room and broadcast messages go to every loop that has an outbox
        Connection old = registry.put(c, roomKey);
        whitelist.log(c.key, "registered {} in room \"{}\"", c, roomKey);
        if (old != null) {
            whitelist.log(c.key, "it replaced {}", old);
            old.channel.close();
        }
    }

    /**
     * Forgets a closed connection and tells logic, unless a newer connection took its key and
     * with it its session (a v1 reconnect). A connection whose client chose its key has a
     * session of its own, which logic is always told about.
     */
    void unregister(Connection c) {
        String rooms = registry.remove(c);
        whitelist.log(c.key, "closed {}{}", c, rooms != null ? "" : " (already replaced by a newer connection)");
        if (rooms != null) {
            disconnectLater(c.session(), rooms);
        } else if (!c.clientKey().isEmpty()) {
            // Replaced under its client key, but its session is its own: logic forgets it (the stores remember its rooms).
            disconnectLater(c.session(), "");
        }
    }

    /** Tells logic a connection in the room set {@code rooms} is gone, without waiting; retried on transient errors. */
    public void disconnectLater(String key, String rooms) {
        disconnects.notify(key, rooms);
    }
}
