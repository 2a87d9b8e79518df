package io.goim.comet.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class PerIpLimitsTest {
    private static final long SECOND = 1_000_000_000L;

    private static long key(String ip, int port) throws Exception {
        return PerIpLimits.key(new InetSocketAddress(InetAddress.getByName(ip), port));
    }

    @Test
    void capsOpenConnectionsPerAddressAndFreesASlotOnClose() throws Exception {
        PerIpLimits limits = new PerIpLimits(2, 0, 1);
        long a = key("10.0.0.1", 1);
        assertNull(limits.admit(a, 0));
        assertNull(limits.admit(a, 0));
        assertEquals(PerIpLimits.Refusal.CONNECTIONS, limits.admit(a, 0));
        assertNull(limits.admit(key("10.0.0.2", 1), 0), "another address has its own count");
        limits.closed(a, 0);
        assertNull(limits.admit(a, 0));
    }

    /** goim v2's ip_count: addresses with a connection open, not those remembered only for their rate. */
    @Test
    void countsTheAddressesWithAConnectionOpen() throws Exception {
        PerIpLimits limits = new PerIpLimits(0, 10, 5);
        long a = key("10.0.0.1", 1);
        long b = key("10.0.0.2", 1);
        limits.admit(a, 0);
        limits.admit(a, 0);
        limits.admit(b, 0);
        assertEquals(2, limits.addressesOpen());
        limits.closed(a, 0);
        assertEquals(2, limits.addressesOpen(), "a still has one open");
        limits.closed(a, 0);
        assertEquals(1, limits.addressesOpen());
        assertEquals(2, limits.addresses(), "a is remembered for its rate, but has nothing open");
        limits.closed(a, 0);
        assertEquals(1, limits.addressesOpen(), "a close too many changes nothing");
        limits.admit(a, SECOND);
        assertEquals(2, limits.addressesOpen());
    }

    @Test
    void limitsTheRateWithBursts() throws Exception {
        PerIpLimits limits = new PerIpLimits(0, 10, 5); // 10/s, bursts of 5
        long a = key("10.0.0.1", 1);
        for (int i = 0; i < 5; i++) {
            assertNull(limits.admit(a, 0), "burst " + i);
        }
        assertEquals(PerIpLimits.Refusal.LOGIN_RATE, limits.admit(a, 0));
        assertEquals(PerIpLimits.Refusal.LOGIN_RATE, limits.admit(a, SECOND / 20));
        assertNull(limits.admit(a, SECOND / 10), "one more after 100 ms");
        assertEquals(PerIpLimits.Refusal.LOGIN_RATE, limits.admit(a, SECOND / 10));
        assertNull(limits.admit(key("10.0.0.2", 1), 0), "another address has its own bucket");
    }

    @Test
    void forgetsAnAddressWithNothingOpenOnceItsBucketIsFull() throws Exception {
        PerIpLimits limits = new PerIpLimits(100, 10, 5);
        long a = key("10.0.0.1", 1);
        limits.admit(a, 0);
        limits.closed(a, SECOND);
        assertEquals(0, limits.addresses(), "nothing open and its bucket full again: forgotten on close");
        for (int i = 0; i < 1500; i++) {
            long k = key("10.1." + (i >> 8) + "." + (i & 255), 1);
            limits.admit(k, 0);
            limits.closed(k, 0);
        }
        assertEquals(1500, limits.addresses(), "closed, but their buckets are not full for 100 ms");
        for (int i = 0; i < 600; i++) {
            limits.admit(key("10.2." + (i >> 8) + "." + (i & 255), 1), SECOND);
        }
        assertTrue(limits.addresses() <= 600, "swept once the table doubled: " + limits.addresses());
    }

    @Test
    void ipv6IsCountedByItsSlash64AndIpv4ByItsAddress() throws Exception {
        assertEquals(key("2001:db8:1:2::1", 1), key("2001:db8:1:2:ffff::9", 2));
        assertNotEquals(key("2001:db8:1:2::1", 1), key("2001:db8:1:3::1", 1));
        assertEquals(key("127.0.0.1", 1), key("127.0.0.1", 2));
        assertNotEquals(key("127.0.0.1", 1), key("127.0.0.2", 1));
    }
}
