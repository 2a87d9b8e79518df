package io.goim.job;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import io.goim.libs.config.HostPort;
import io.goim.libs.config.Settings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The {@code job} section of the configuration, validated. Immutable. */
public record JobConfig(
        String kafkaBootstrap,
        String topic,
        String groupId,
        Duration pollTimeout,
        Map<String, Object> kafkaProperties,
        Map<Integer, HostPort> comets,
        Duration cometTimeout,
        int cometAttempts,
        Duration shutdownGrace) {

    public static JobConfig from(Config root) {
        Settings s = Settings.of(root, "job");
        Settings kafka = s.section("kafka");
        Map<String, Object> props = new HashMap<>();
        for (Map.Entry<String, ConfigValue> e : root.getConfig("job.kafka.properties").entrySet()) {
            props.put(e.getKey().replace("\"", ""), String.valueOf(e.getValue().unwrapped()));
        }
        return new JobConfig(
                kafka.string("bootstrap-servers"),
                kafka.string("topic"),
                kafka.string("group-id"),
                kafka.positiveDuration("poll-timeout"),
                Map.copyOf(props),
                s.idToAddress("comets"),
                s.positiveDuration("comet-timeout"),
                s.intAtLeast("comet-attempts", 1),
                s.positiveDuration("shutdown-grace"));
    }
}
