package io.goim.comet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.config.HostPort;
import io.goim.libs.config.InvalidConfigException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** comet.logic: one address as before, or a list of several logics; anything else refused at start. */
class CometConfigTest {
    private static CometConfig load(Object logic) {
        return CometConfig.from(ConfigLoader.withDefaults(ConfigFactory.parseMap(Map.of("comet.logic", logic))));
    }

    @Test
    void oneLogicAddressReadsAsAListOfOne() {
        assertEquals(List.of(new HostPort("127.0.0.1", 7170)), load("127.0.0.1:7170").logic());
    }

    @Test
    void severalLogicAddresses() {
        assertEquals(List.of(new HostPort("10.0.0.1", 7170), new HostPort("10.0.0.2", 7170)),
                load(List.of("10.0.0.1:7170", "10.0.0.2:7170")).logic());
    }

    @Test
    void badListsAreRefusedWithAClearMessage() {
        assertEquals("comet.logic: [] (expected: at least one address)",
                assertThrows(InvalidConfigException.class, () -> load(List.of())).getMessage());
        assertEquals("comet.logic: 10.0.0.2 (expected: host:port)",
                assertThrows(InvalidConfigException.class, () -> load(List.of("10.0.0.1:7170", "10.0.0.2"))).getMessage());
        assertEquals("comet.logic: 10.0.0.1:7170 (expected: each address once)",
                assertThrows(InvalidConfigException.class, () -> load(List.of("10.0.0.1:7170", "10.0.0.1:7170")))
                        .getMessage());
    }

    @Test
    void theRenamedRestMaxIsRefusedNotReadWithItsOldMeaning() {
        Map<String, Object> file = Map.of("comet.logic", "127.0.0.1:7170", "comet.push.rest.max", "200ms");
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> CometConfig.from(ConfigLoader.withDefaults(ConfigFactory.parseMap(file))));
        assertEquals("comet.push.rest.max: 200ms (expected: comet.push.rest.cycle instead: the rest now ends at most that"
                + " long after the round began, see reference.conf)", e.getMessage());
        assertEquals(java.time.Duration.ofMillis(200), load("127.0.0.1:7170").pushRest().cycle());
    }
}
