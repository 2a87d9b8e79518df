package io.goim.libs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {
    private static Settings settings(String hocon) {
        return Settings.of(ConfigFactory.parseString(hocon), "svc");
    }

    @Test
    void zeroDurationIsRefusedWithPathValueAndExpectation() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> settings("svc.heartbeat = 0s").positiveDuration("heartbeat"));
        assertEquals("svc.heartbeat: 0s (expected: > 0)", e.getMessage());
    }

    @Test
    void readsDurationsAndBoundedInts() {
        Settings s = settings("svc { t = 5s, n = 32 }");
        assertEquals(Duration.ofSeconds(5), s.positiveDuration("t"));
        assertEquals(32, s.intAtLeast("n", 1));
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> s.intAtLeast("n", 64));
        assertEquals("svc.n: 32 (expected: >= 64)", e.getMessage());
    }

    @Test
    void readsIdToAddressMaps() {
        Settings s = settings("svc.routers { \"1\" = \"127.0.0.1:7270\", \"2\" = \"[::1]:7271\" }");
        Map<Integer, HostPort> m = s.idToAddress("routers");
        assertEquals(new HostPort("127.0.0.1", 7270), m.get(1));
        assertEquals(new HostPort("::1", 7271), m.get(2));
        assertEquals("[::1]:7271", m.get(2).target());
    }

    @Test
    void badAddressesAreRefused() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> settings("svc.routers { \"1\" = \"localhost\" }").idToAddress("routers"));
        assertEquals("svc.routers.1: localhost (expected: host:port)", e.getMessage());
        e = assertThrows(InvalidConfigException.class,
                () -> settings("svc.routers { x = \"h:1\" }").idToAddress("routers"));
        assertEquals("svc.routers: x (expected: integer ids as keys)", e.getMessage());
    }

    @Test
    void missingKeysNameTheirPath() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> settings("svc {}").integer("n"));
        assertEquals(true, e.getMessage().startsWith("svc.n: "), e.getMessage());
    }
}
