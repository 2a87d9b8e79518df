package io.goim.libs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
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
    void readsOneAddressOrAListOfThem() {
        assertEquals(List.of(new HostPort("127.0.0.1", 7170)),
                settings("svc.logic = \"127.0.0.1:7170\"").oneOrMoreAddresses("logic"));
        assertEquals(List.of(new HostPort("10.0.0.1", 7170), new HostPort("::1", 7171)),
                settings("svc.logic = [\"10.0.0.1:7170\", \"[::1]:7171\"]").oneOrMoreAddresses("logic"));
    }

    @Test
    void badAddressListsAreRefusedWithPathValueAndExpectation() {
        assertEquals("svc.logic: [] (expected: at least one address)", refused("svc.logic = []"));
        assertEquals("svc.logic: 10.0.0.1 (expected: host:port)", refused("svc.logic = [\"10.0.0.1:7170\", \"10.0.0.1\"]"));
        assertEquals("svc.logic: 10.0.0.1:7170 (expected: each address once)",
                refused("svc.logic = [\"10.0.0.1:7170\", \"10.0.0.1:7170\"]"));
        assertEquals("svc.logic: 2 (expected: host:port)", refused("svc.logic = [\"h:1\", 2]"));
        assertEquals("svc.logic: a:1,b:2 (expected: one \"host:port\", or a list of them: [\"h1:p1\", \"h2:p2\"])",
                refused("svc.logic = \"a:1,b:2\""));
        assertEquals("svc.logic: {\"host\":\"h\"} (expected: \"host:port\" or a list of them)",
                refused("svc.logic { host = h }"));
        assertEquals("svc.logic: missing (expected: \"host:port\" or a list of them)", refused("svc {}"));
    }

    @Test
    void aListFromSystemPropertiesIsAnObjectWithIndexKeys() {
        assertEquals(List.of(new HostPort("10.0.0.1", 7170), new HostPort("10.0.0.2", 7170)),
                settings("svc.logic { \"0\" = \"10.0.0.1:7170\", \"1\" = \"10.0.0.2:7170\" }").oneOrMoreAddresses("logic"));
    }

    private static String refused(String hocon) {
        return assertThrows(InvalidConfigException.class, () -> settings(hocon).oneOrMoreAddresses("logic")).getMessage();
    }

    @Test
    void readsIdsToOneOrMoreAddresses() {
        Map<Integer, List<HostPort>> m = settings(
                "svc.comets { \"1\" = \"127.0.0.1:8092\", \"2\" = [\"127.0.0.2:8092\", \"127.0.0.3:8092\"] }")
                .idToAddresses("comets");
        assertEquals(List.of(new HostPort("127.0.0.1", 8092)), m.get(1));
        assertEquals(List.of(new HostPort("127.0.0.2", 8092), new HostPort("127.0.0.3", 8092)), m.get(2));
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> settings("svc.comets { \"2\" = [] }").idToAddresses("comets"));
        assertEquals("svc.comets.2: [] (expected: at least one address)", e.getMessage());
        e = assertThrows(InvalidConfigException.class,
                () -> settings("svc.comets { \"2\" = [\"h:1\", \"h\"] }").idToAddresses("comets"));
        assertEquals("svc.comets.2: h (expected: host:port)", e.getMessage());
        e = assertThrows(InvalidConfigException.class, () -> settings("svc.comets {}").idToAddresses("comets"));
        assertEquals("svc.comets: {} (expected: at least one entry)", e.getMessage());
    }

    @Test
    void missingKeysNameTheirPath() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> settings("svc {}").integer("n"));
        assertEquals(true, e.getMessage().startsWith("svc.n: "), e.getMessage());
    }
}
