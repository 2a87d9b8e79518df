package io.goim.router;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionStoreTest {
    private final SessionStore store = new SessionStore(8);

    @Test
    void eachConnectionOfAUserGetsTheNextSeq() {
        assertEquals(1, store.put(42, 1, 1));
        assertEquals(2, store.put(42, 2, 1));
        assertEquals(1, store.put(43, 1, -1));
        Bucket.UserConns c = store.get(42);
        assertEquals(2, c.seqs().length);
        assertEquals(2, store.userCount(42));
        assertEquals(3, store.count());
    }

    @Test
    void delRemovesOneConnectionAndItsCounts() {
        int seq = store.put(42, 1, 5);
        store.put(42, 1, 5);
        assertTrue(store.del(42, seq));
        assertFalse(store.del(42, seq), "a second delete finds nothing");
        assertEquals(1, store.roomCount(5));
        assertEquals(Map.of(1, 1), store.allServerCount());
        assertTrue(store.countersAgreeWithSessions());
    }

    @Test
    void lastConnectionGoneForgetsTheUser() {
        int seq = store.put(42, 1, 1);
        store.del(42, seq);
        assertNull(store.get(42));
        assertEquals(Map.of(), store.allRoomCount());
        assertEquals(Map.of(), store.allServerCount());
    }

    @Test
    void delServerForgetsOnlyThatCometsConnectionsAndFixesEveryCounter() {
        store.put(1, 1, 7);
        store.put(1, 2, 7);
        store.put(2, 1, 8);
        store.put(3, 2, -1);
        assertEquals(2, store.delServer(1));
        assertEquals(Map.of(2, 2), store.allServerCount());
        assertEquals(Map.of(7, 1), store.allRoomCount());
        assertNull(store.get(2));
        assertArrayEquals(new int[] {2}, store.get(1).servers());
        assertEquals(2, store.count());
        assertTrue(store.countersAgreeWithSessions());
        assertEquals(0, store.delServer(1));
    }
}
