package io.goim.router.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A session's name (user id and seq) is never handed out twice, and deletes name the
 * session they mean: late Disconnects, undos and renews from a comet's retries never touch
 * a newer session of the same user, and a Connect that arrives after its undo stores nothing.
 */
class SessionIdentityTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final SessionStore store = new SessionStore(8, Duration.ofHours(1), now::get);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void aLateDeleteOfAnOldSessionKeepsTheUsersNewSession() {
        int old = store.put(42, 1, "1");
        assertTrue(store.del(42, old, 1), "the connection closes");
        // The user logs in again (on the same comet) while the first Disconnect's retry is on its way.
        int fresh = store.put(42, 1, "1");
        assertNotEquals(old, fresh, "a user with no session left does not get its old seq again");
        assertFalse(store.del(42, old, 1), "the retried Disconnect finds nothing");
        assertEquals(1, store.userCount(42), "the new session is still there");
        assertEquals(1, store.count());
        assertTrue(store.countersAgreeWithSessions());
    }

    @Test
    void seqsContinueUntilTheUserRecordExpires() {
        for (int i = 1; i <= 3; i++) {
            int seq = store.put(7, 2, "");
            assertEquals(i, seq);
            store.del(7, seq, 2);
        }
        assertEquals(0, store.count());
        assertEquals(1, store.records(), "the user's record outlives its last connection");
        advance(Duration.ofMinutes(61));
        store.expire();
        assertEquals(0, store.records(), "and goes after a session expiry without activity");
    }

    @Test
    void aDeleteFromAnotherCometLeavesTheConnectionAlone() {
        int seq = store.put(42, 1, "1");
        assertFalse(store.del(42, seq, 2), "comet 2 does not hold it");
        assertEquals(1, store.userCount(42));
        assertTrue(store.del(42, seq, 1));
        assertEquals(0, store.count());
    }

    @Test
    void aLateConnectAfterItsUndoLeavesNoSession() {
        long login = 0x1234_5678_9abcL;
        // The comet (or logic) gave up on the login before its put reached the router.
        assertFalse(store.undo(42, login), "nothing stored yet");
        assertEquals(SessionShard.PUT_UNDONE, store.put(42, 1, "1", "", login), "the late put stores nothing");
        assertEquals(0, store.count());
        assertEquals(0, store.userCount(42));
        assertEquals(0, store.allServerCount().getOrDefault(1, 0));
        assertTrue(store.countersAgreeWithSessions());
    }

    @Test
    void anUndoAfterThePutDeletesItsSessionOnlyAndARepeatStoresNothing() {
        long login = 99;
        int other = store.put(42, 2, "1", "", 98);
        int seq = store.put(42, 1, "1", "", login);
        assertTrue(store.undo(42, login));
        assertEquals(1, store.userCount(42), "the user's other session stays");
        assertEquals(other, store.get(42).seqs()[0]);
        assertEquals(SessionShard.PUT_UNDONE, store.put(42, 1, "1", "", login), "a repeat of the undone login");
        assertEquals(SessionShard.Touched.ENDED, store.touch(42, seq, 1, "1"), "a renew crossing the undo does not bring it back");
        assertEquals(1, store.count());
    }

    @Test
    void aRepeatedLoginGetsTheSessionItStored() {
        int seq = store.put(42, 1, "1", "", 5);
        assertEquals(seq, store.put(42, 1, "1", "", 5), "the channel's retry of the same Connect");
        assertEquals(1, store.count(), "one session, not two");
    }

    @Test
    void aRenewThatCrossedADisconnectDoesNotBringTheSessionBack() {
        int seq = store.put(42, 1, "1");
        store.del(42, seq, 1);
        assertEquals(SessionShard.Touched.ENDED, store.touch(42, seq, 1, "1"));
        assertEquals(0, store.count());
        // Long after, a comet vouching for it is believed again (a router that lost it, say).
        advance(Duration.ofMinutes(3));
        assertEquals(SessionShard.Touched.RELEARNED, store.touch(42, seq, 1, "1"));
        assertEquals(1, store.count());
    }

    @Test
    void loginIdsAndEndedSeqsAreForgottenAfterAWhile() {
        store.put(42, 1, "1", "", 5);
        store.undo(42, 5);
        advance(Duration.ofMinutes(3));
        int seq = store.put(42, 1, "1", "", 5);
        assertTrue(seq > 0, "an id that old is not remembered (ids are random: it is a new login)");
    }
}
