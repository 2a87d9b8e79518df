package io.goim.job;

import com.typesafe.config.Config;
import io.goim.libs.admin.AdminConfig;
import io.goim.libs.config.HostPort;
import io.goim.libs.config.Settings;
import io.goim.libs.grpc.PeerAuth;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The {@code job} section of the configuration, validated. Immutable. */
public record JobConfig(
        String kafkaBootstrap,
        String topic,
        String groupId,
        Duration pollTimeout,
        int maxInFlight,
        Duration revokeGrace,
        Duration commitInterval,
        Map<String, Object> kafkaProperties,
        Map<Integer, List<HostPort>> comets,
        PeerAuth peerAuth,
        Duration cometTimeout,
        Duration cometStallLimit,
        Duration cometBackoff,
        Duration cometMaxBackoff,
        int cometLanes,
        Duration cometPoll,
        Room room,
        Duration shutdownGrace,
        AdminConfig admin,
        Discovery discovery) {

    /** The {@code job.discovery} section: following the comets announced in the session store ({@link CometWatcher}). */
    public record Discovery(boolean enabled, List<HostPort> logic, Duration poll, Duration removeAfter,
            Duration unknownCometWait) {
        static Discovery read(Settings s) {
            return new Discovery(s.bool("enabled"), s.oneOrMoreAddresses("logic"), s.positiveDuration("poll"),
                    s.nonNegativeDuration("remove-after"), s.nonNegativeDuration("unknown-comet-wait"));
        }

        /** How long a user push for a comet job does not know waits for discovery to find it: 0 when discovery is off. */
        public Duration unknownCometWaitWhenOn() {
            return enabled ? unknownCometWait : Duration.ZERO;
        }
    }

    /** How job calls each comet ({@link io.goim.job.comets.CometClient}): the comet-* settings and peer auth. */
    public record CometCalls(PeerAuth peerAuth, Duration timeout, Duration stallLimit, Duration backoff,
            Duration maxBackoff, int lanes) {
    }

    /** The settings a comet client is built with. */
    public CometCalls cometCalls() {
        return new CometCalls(peerAuth, cometTimeout, cometStallLimit, cometBackoff, cometMaxBackoff, cometLanes);
    }

    /**
     * How job consumes Kafka ({@link io.goim.job.consume.PushConsumer}): the {@code job.kafka}
     * settings and the grace a stop gives the records in flight.
     */
    public record Consuming(String bootstrap, String topic, String groupId, Map<String, Object> properties,
            Duration pollTimeout, int maxInFlight, Duration commitInterval, Duration revokeGrace,
            Duration shutdownGrace) {
    }

    /** The settings a consumer loop is built with. */
    public Consuming consuming() {
        return new Consuming(kafkaBootstrap, topic, groupId, kafkaProperties, pollTimeout, maxInFlight, commitInterval,
                revokeGrace, shutdownGrace);
    }

    /** The {@code job.room} section: batching of room messages. */
    public record Room(int batch, Duration signal, int queueSize) {
    }

    public static JobConfig from(Config root) {
        Settings s = Settings.of(root, "job");
        Settings kafka = s.section("kafka");
        Settings room = s.section("room");
        Map<String, Object> props = kafka.stringMap("properties");
        int batch = room.intAtLeast("batch", 1);
        int queueSize = room.intAtLeast("queue-size", 1);
        if (queueSize < batch) {
            throw room.invalid("queue-size", Integer.toString(queueSize), ">= job.room.batch (" + batch + ")");
        }
        Duration backoff = s.positiveDuration("comet-backoff");
        Duration maxBackoff = s.positiveDuration("comet-max-backoff");
        if (maxBackoff.compareTo(backoff) < 0) {
            throw s.invalid("comet-max-backoff", maxBackoff.toMillis() + "ms", ">= job.comet-backoff (" + backoff.toMillis() + "ms)");
        }
        Discovery discovery = Discovery.read(s.section("discovery"));
        return new JobConfig(
                kafka.string("bootstrap-servers"),
                kafka.string("topic"),
                kafka.string("group-id"),
                kafka.positiveDuration("poll-timeout"),
                kafka.intAtLeast("max-in-flight", 1),
                kafka.positiveDuration("revoke-grace"),
                kafka.nonNegativeDuration("commit-interval"),
                Map.copyOf(props),
                comets(root, s, discovery),
                PeerAuth.read(s),
                s.positiveDuration("comet-timeout"),
                s.nonNegativeDuration("comet-stall-limit"),
                backoff,
                maxBackoff,
                s.intAtLeast("comet-lanes", 1),
                s.positiveDuration("comet-poll"),
                new Room(batch, room.positiveDuration("signal"), queueSize),
                s.positiveDuration("shutdown-grace"),
                AdminConfig.read(s),
                discovery);
    }

    /** job.comets; may be empty only when the comets are discovered. */
    private static Map<Integer, List<HostPort>> comets(Config root, Settings s, Discovery discovery) {
        if (root.hasPath("job.comets") && root.getValue("job.comets") instanceof com.typesafe.config.ConfigObject o
                && o.isEmpty()) {
            if (!discovery.enabled()) {
                throw s.invalid("comets", "{}", "at least one comet, since job.discovery.enabled is false");
            }
            return Map.of();
        }
        return s.idToAddresses("comets");
    }
}
