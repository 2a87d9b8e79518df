package io.goim.router.session;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * One user's connections: sequence number to {@link Conn} (comet server, room), and what
 * keeps a seq from naming two sessions (docs/router-sessions.md, "Session identity").
 *
 * <p>The sequence generator hands out 1, 2, 3, ... and never goes back: a user's record
 * outlives the user's last connection by the session expiry ({@link SessionShard} keeps it, the
 * cleaner drops it), so a user who logs in again continues after the seqs already handed
 * out, and a late Disconnect for an old seq cannot remove a newer connection. (Past
 * {@code Integer.MAX_VALUE} it wraps to 1 and skips seqs still in use.)
 *
 * <p>For {@link #RECENT_NANOS} the record also remembers the seqs deleted by name
 * (Disconnect, undo), so a late renew does not register such a session again, and each
 * login id (chosen by the comet per login) with the seq it got, or that it was undone, so
 * a repeated Connect gets the same session and a Connect that arrives after its undo
 * stores nothing.
 *
 * <p>Not thread-safe: guarded by its {@link SessionShard}'s lock.
 */
final class Session {
    /**
     * How long deleted seqs and login ids are remembered: well past the longest a comet's
     * Connect call (logic-timeout + login-timeout, 33 s by default), its retries and its
     * Disconnect retries can arrive late.
     */
    static final long RECENT_NANOS = 120_000_000_000L;
    /** The seq of a login id that was undone: a later put of that login stores nothing. */
    static final int UNDONE = 0;

    private final long userId;
    private int lastSeq;
    private final Map<Integer, Conn> conns = new HashMap<>(4);
    /** Clock reading of the last put, touch or delete, for the record's expiry once empty. */
    long activeNanos;
    /** Seq deleted by name → when; null while none (most users). */
    private Map<Integer, Long> ended;
    /** Login id → {seq or {@link #UNDONE}, when}; null while none. */
    private Map<Long, long[]> logins;

    Session(long userId) {
        this.userId = userId;
    }

    long userId() {
        return userId;
    }

    /** Registers a connection under the next free sequence number. */
    Conn put(int server, String rooms, String key) {
        int seq;
        do {
            seq = lastSeq == Integer.MAX_VALUE ? 1 : lastSeq + 1;
            lastSeq = seq;
        } while (conns.containsKey(seq));
        return putAt(seq, server, rooms, key);
    }

    /**
     * Registers a connection under a sequence number a comet already holds (relearning
     * after a router restart or an expiry). The caller has checked that {@code seq} is
     * free. {@code key}: the key the client chose, or null/empty. Later {@link #put}s continue after it, so they do not hand it out again.
     */
    Conn putAt(int seq, int server, String rooms, String key) {
        Conn c = key == null || key.isEmpty() ? new Conn(userId, seq, server, rooms)
                : new KeyedConn(userId, seq, server, rooms, key);
        conns.put(seq, c);
        if (seq > lastSeq) {
            lastSeq = seq;
        }
        return c;
    }

    Conn get(int seq) {
        return conns.get(seq);
    }

    /** Removes a connection; null when unknown. */
    Conn remove(int seq) {
        return conns.remove(seq);
    }

    /** The highest seq handed out or relearned. */
    int lastSeq() {
        return lastSeq;
    }

    /** Remembers that {@code seq} was deleted by name at {@code now}. */
    void ended(int seq, long now) {
        if (ended == null) {
            ended = new HashMap<>(4);
        }
        ended.put(seq, now);
    }

    /** True when {@code seq} was deleted by name within {@link #RECENT_NANOS} of {@code now}. */
    boolean isEnded(int seq, long now) {
        Long at = ended == null ? null : ended.get(seq);
        return at != null && now - at < RECENT_NANOS;
    }

    /** The seq login {@code loginId} got ({@link #UNDONE} if undone), or -1 when it is not remembered. */
    int login(long loginId, long now) {
        long[] l = logins == null ? null : logins.get(loginId);
        return l == null || now - l[1] >= RECENT_NANOS ? -1 : (int) l[0];
    }

    /** Remembers that login {@code loginId} got {@code seq} ({@link #UNDONE}: was undone). */
    void login(long loginId, int seq, long now) {
        if (logins == null) {
            logins = new HashMap<>(4);
        }
        logins.put(loginId, new long[] {seq, now});
    }

    /** A put, delete or undo at {@code now}: forgets what is no longer recent and restarts the record's expiry. */
    void changed(long now) {
        prune(now);
        activeNanos = now;
    }

    /** Forgets deleted seqs and login ids older than {@link #RECENT_NANOS}; keeps the record small. */
    private void prune(long now) {
        if (ended != null) {
            ended.values().removeIf(at -> now - at >= RECENT_NANOS);
            if (ended.isEmpty()) {
                ended = null;
            }
        }
        if (logins != null) {
            for (Iterator<long[]> it = logins.values().iterator(); it.hasNext(); ) {
                if (now - it.next()[1] >= RECENT_NANOS) {
                    it.remove();
                }
            }
            if (logins.isEmpty()) {
                logins = null;
            }
        }
    }

    Map<Integer, Conn> conns() {
        return conns;
    }

    boolean isEmpty() {
        return conns.isEmpty();
    }

    int size() {
        return conns.size();
    }
}
