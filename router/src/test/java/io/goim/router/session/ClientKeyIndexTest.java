package io.goim.router.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The store's index of keys chosen by goim v2 clients. */
class ClientKeyIndexTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final SessionStore store = new SessionStore(8, Duration.ofMinutes(10), now::get);

    @Test
    void aClientKeyFindsItsComet() {
        store.put(42, 3, "1", "web-42");
        store.put(43, 4, "1"); // a v1 session: no key, no index entry
        assertEquals(3, store.keyServer("web-42"));
        assertEquals(0, store.keyServer("42_1"), "subKeys are not in the client-key index");
        assertEquals(1, store.keyCount());
    }

    @Test
    void theNewestLoginOwnsADuplicateKeyAndTheOlderTakesItBackWhenTheNewerLeaves() {
        int older = store.put(42, 3, "1", "shared");
        int newer = store.put(77, 4, "1", "shared");
        assertEquals(4, store.keyServer("shared"), "goim v2 overwrites: the newest login owns the key");
        store.touch(42, older, 3, "1", "shared");
        assertEquals(4, store.keyServer("shared"), "a renew of the older does not take the key while the newer holds it");
        assertTrue(store.del(77, newer));
        assertEquals(0, store.keyServer("shared"), "the newer's Del drops the key it owned");
        store.touch(42, older, 3, "1", "shared");
        assertEquals(3, store.keyServer("shared"), "the older, still connected, reclaims its key at its renew");
        assertTrue(store.countersAgreeWithSessions());
    }

    @Test
    void theOlderLeavingDoesNotDropTheNewersKey() {
        int older = store.put(42, 3, "1", "shared");
        store.put(77, 4, "1", "shared");
        assertTrue(store.del(42, older));
        assertEquals(4, store.keyServer("shared"));
    }

    @Test
    void expiryAndDelServerForgetKeysAndARenewRelearnsThem() {
        int seq = store.put(42, 3, "1", "k1");
        store.put(43, 5, "1", "k2");
        assertEquals(1, store.delServer(5));
        assertEquals(0, store.keyServer("k2"));
        now.addAndGet(Duration.ofMinutes(11).toNanos());
        assertEquals(1, store.expire());
        assertEquals(0, store.keyServer("k1"));
        assertEquals(0, store.keyCount());
        assertEquals(SessionShard.Touched.RELEARNED, store.touch(42, seq, 3, "1", "k1"));
        assertEquals(3, store.keyServer("k1"), "a restarted or expired router relearns the key from the renew");
    }
}
