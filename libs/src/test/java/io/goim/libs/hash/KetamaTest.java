package io.goim.libs.hash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KetamaTest {
    private static Map<String, String> nodes(int n) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 1; i <= n; i++) {
            m.put(Integer.toString(i), "router-" + i);
        }
        return m;
    }

    @Test
    void everyProcessAgreesRegardlessOfConfigOrder() {
        Map<String, String> reversed = new LinkedHashMap<>();
        reversed.put("3", "router-3");
        reversed.put("2", "router-2");
        reversed.put("1", "router-1");
        Ketama<String> a = new Ketama<>(nodes(3), Ketama.DEFAULT_POINTS);
        Ketama<String> b = new Ketama<>(reversed, Ketama.DEFAULT_POINTS);
        for (long uid = 0; uid < 10_000; uid++) {
            assertEquals(a.node(uid), b.node(uid));
        }
    }

    @Test
    void usersSpreadOverAllNodes() {
        Ketama<String> ring = new Ketama<>(nodes(3), Ketama.DEFAULT_POINTS);
        Map<String, Integer> counts = new HashMap<>();
        for (long uid = 0; uid < 30_000; uid++) {
            counts.merge(ring.node(uid), 1, Integer::sum);
        }
        assertEquals(3, counts.size());
        for (int c : counts.values()) {
            assertTrue(c > 7_000 && c < 13_000, "uneven spread: " + counts);
        }
    }

    @Test
    void addingANodeMovesOnlyItsShare() {
        Ketama<String> three = new Ketama<>(nodes(3), Ketama.DEFAULT_POINTS);
        Ketama<String> four = new Ketama<>(nodes(4), Ketama.DEFAULT_POINTS);
        int moved = 0;
        for (long uid = 0; uid < 40_000; uid++) {
            String before = three.node(uid);
            String after = four.node(uid);
            if (!before.equals(after)) {
                moved++;
                assertEquals("router-4", after, "a key may only move to the new node");
            }
        }
        assertTrue(moved > 6_000 && moved < 14_000, "moved " + moved + " of 40000");
    }
}
