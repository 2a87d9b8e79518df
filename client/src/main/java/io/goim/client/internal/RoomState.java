package io.goim.client.internal;

import io.goim.protocol.Op;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a client remembers of its connection so that a new connection can be put back in
 * the same place: its rooms and, for a goim v2 login, the operations it accepts. It
 * mirrors comet's model (docs/protocol.md, "Rooms"): a first room (the login's, changed by
 * op 12) and further rooms (ops 18 and 20), and is changed only by the server's
 * acceptance of a request, so it follows what the server did.
 *
 * <p>When the login names no room the client knows (a v1 token, a v2 signed token: the
 * server's authenticator picks it), the first room is unknown until the client changes
 * it; rooms it leaves meanwhile are remembered and left again after a reconnect (the
 * login may have put it back in one of them).
 *
 * <p>Thread-safe: changed on the client's event loop, read by any thread.
 */
public final class RoomState {
    /** One replayed request: an op and its room key. */
    public record Step(int op, String room) {
    }

    private static final int MAX_LEFT = 64;

    /** Whether the login body names the first room (a v2 login by mid). */
    private final boolean loginNamesRoom;
    /** null: unknown (the authenticator's choice); "": none. */
    private String first;
    private final Set<String> further = new LinkedHashSet<>();
    private final Set<String> leftUnknown = new LinkedHashSet<>();
    private final TreeSet<Integer> accepts = new TreeSet<>();

    public RoomState(String loginRoom, boolean loginNamesRoom, int[] accepts) {
        this.first = loginRoom;
        this.loginNamesRoom = loginNamesRoom;
        for (int op : accepts) {
            this.accepts.add(op);
        }
    }

    /** The first room: null when the authenticator chose it and the client has not changed it. */
    public synchronized String first() {
        return first;
    }

    /** Every room the client knows it is in, the first first. */
    public synchronized List<String> rooms() {
        List<String> all = new ArrayList<>();
        if (first != null && !first.isEmpty()) {
            all.add(first);
        }
        all.addAll(further);
        return all;
    }

    public synchronized int[] accepts() {
        return accepts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Op 12 accepted: {@code room} is the first room ("" none); a further room of that key became it. */
    public synchronized void changed(String room) {
        first = room;
        further.remove(room);
        leftUnknown.clear(); // replayed as op 12, which replaces the login's room
    }

    /** Op 18 accepted. As comet: the first room when there is none, else a further one. */
    public synchronized void joined(String room) {
        leftUnknown.remove(room);
        if (room.equals(first)) {
            return;
        }
        if ("".equals(first)) {
            first = room;
        } else {
            further.add(room);
        }
    }

    /** Op 20 accepted. */
    public synchronized void left(String room) {
        if (room.equals(first)) {
            first = "";
            return;
        }
        further.remove(room);
        if (first == null) {
            // Perhaps the login's room: left again after a reconnect (harmless if it was not).
            leftUnknown.add(room);
            if (leftUnknown.size() > MAX_LEFT) {
                Iterator<String> oldest = leftUnknown.iterator();
                oldest.next();
                oldest.remove();
            }
        }
    }

    /** A further room the server no longer takes (a re-join refused after a reconnect). */
    public synchronized void forget(String room) {
        further.remove(room);
    }

    public synchronized void subscribed(int[] ops) {
        for (int op : ops) {
            accepts.add(op);
        }
    }

    public synchronized void unsubscribed(int[] ops) {
        for (int op : ops) {
            accepts.remove(op);
        }
    }

    /** How many operations would be accepted after subscribing {@code ops}. */
    public synchronized int acceptsWith(int[] ops) {
        TreeSet<Integer> next = new TreeSet<>(accepts);
        for (int op : ops) {
            next.add(op);
        }
        return next.size();
    }

    /**
     * The requests that put a new connection back in this state after its login: the first
     * room (op 12) when the login cannot name it, the rooms left since (op 20) while it is
     * unknown, then every further room (op 18).
     */
    public synchronized List<Step> replay() {
        List<Step> steps = new ArrayList<>();
        if (first != null && !loginNamesRoom) {
            steps.add(new Step(Op.CHANGE_ROOM, first));
        }
        if (first == null) {
            leftUnknown.forEach(r -> steps.add(new Step(Op.LEAVE_ROOM, r)));
        }
        further.forEach(r -> steps.add(new Step(Op.JOIN_ROOM, r)));
        return steps;
    }
}
