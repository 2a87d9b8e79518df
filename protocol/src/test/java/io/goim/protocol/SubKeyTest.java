package io.goim.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SubKeyTest {
    @Test
    void roundTrips() {
        assertEquals("42_3", SubKey.encode(42, 3));
        assertEquals(new SubKey(42, 3), SubKey.decode("42_3"));
        assertEquals(new SubKey(0, 1), SubKey.decode("0_1"));
    }

    @Test
    void malformedKeysAreRejectedWithTheKeyInTheMessage() {
        for (String bad : new String[] {"", "_", "42", "42_", "_3", "a_3", "42_b", "42_3_4"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SubKey.decode(bad), bad);
            assertEquals("subKey " + bad + " (expected: <userId>_<seq>)", e.getMessage());
        }
    }
}
