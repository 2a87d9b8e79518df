package io.goim.comet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.config.InvalidConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** comet.upstream: goim's echo by default; kafka mode with its producer properties; bad values refused at start. */
class UpstreamConfigTest {
    private static CometConfig.Upstream load(Map<String, Object> overrides) {
        return CometConfig.from(ConfigLoader.withDefaults(ConfigFactory.parseMap(overrides))).upstream();
    }

    @Test
    void echoIsTheDefaultAndKafkaDefaultsAreDurable() {
        CometConfig.Upstream u = load(Map.of());
        assertEquals(CometConfig.Upstream.Mode.ECHO, u.mode());
        assertEquals("GoimUpstream", u.topic());
        assertEquals(Duration.ofSeconds(5), u.sendTimeout());
        assertEquals("all", u.kafkaProperties().get("acks"));
        assertEquals("true", u.kafkaProperties().get("enable.idempotence"));
        assertEquals(16, u.maxInFlight());
    }

    @Test
    void kafkaModeWithExtraPropertiesQuotedOrNot() {
        CometConfig.Upstream u = load(Map.of("comet.upstream.mode", "kafka",
                "comet.upstream.kafka.properties.linger.ms", "5", "comet.upstream.rate", 0));
        assertEquals(CometConfig.Upstream.Mode.KAFKA, u.mode());
        assertEquals("5", u.kafkaProperties().get("linger.ms"));
        assertEquals(0, u.rate());
    }

    @Test
    void badValuesAreRefusedWithAClearMessage() {
        assertEquals("comet.upstream.mode: forward (expected: echo or kafka)", assertThrows(InvalidConfigException.class,
                () -> load(Map.of("comet.upstream.mode", "forward"))).getMessage());
        assertEquals("comet.upstream.kafka.topic: \"\" (expected: a topic name, since mode is kafka)",
                assertThrows(InvalidConfigException.class, () -> load(Map.of("comet.upstream.mode", "kafka",
                        "comet.upstream.kafka.topic", ""))).getMessage());
        assertEquals("comet.upstream.max-in-flight: 0 (expected: >= 1)", assertThrows(InvalidConfigException.class,
                () -> load(Map.of("comet.upstream.max-in-flight", 0))).getMessage());
    }
}
