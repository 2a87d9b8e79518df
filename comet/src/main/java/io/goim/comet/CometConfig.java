package io.goim.comet;

import io.goim.comet.cluster.CometAnnouncer;
import io.goim.comet.push.PassRest;
import com.typesafe.config.Config;
import io.goim.libs.admin.AdminConfig;
import io.goim.libs.config.HostPort;
import io.goim.libs.config.Listen;
import io.goim.libs.config.Settings;
import io.goim.libs.grpc.PeerAuth;
import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The {@code comet} section of the configuration, validated. Immutable. */
public record CometConfig(
        int serverId,
        Listen tcp,
        Listen grpc,
        PeerAuth peerAuth,
        List<HostPort> logic,
        Duration logicTimeout,
        Duration handshakeTimeout,
        Duration heartbeatTimeout,
        int maxBody,
        int buckets,
        int maxRoomsPerConnection,
        int eventLoopThreads,
        Duration shutdownGrace,
        Listen websocket,
        Tls tls,
        int disconnectRetries,
        Duration disconnectBackoff,
        long pushMaxPending,
        int pushRoomWindow,
        PassRest pushRest,
        int lowWaterMark,
        int highWaterMark,
        long maxBacklog,
        Duration slowConsumerTimeout,
        List<String> whitelist,
        Duration renewInterval,
        int renewBatch,
        int renewParallel,
        Duration renewRetry,
        Duration routerEpochPoll,
        Duration drainWindow,
        AdminConfig admin,
        int loginWindow,
        int acceptBacklog,
        Duration loginTimeout,
        Limits limits,
        Upstream upstream,
        Discovery discovery,
        Duration onlineInterval,
        Duration onlineRecheck,
        int pushMaxPaced) {

    /**
     * The {@code discovery} section: how this comet announces itself to logic
     * ({@link CometAnnouncer}). An empty public address list means the listener's bound
     * address (a wildcard bind announces this machine's address instead).
     */
    public record Discovery(boolean enabled, Duration announceInterval, Duration ttl, int weight,
            Duration cpuSmoothing, List<HostPort> tcp, List<HostPort> websocket, List<HostPort> tlsTcp,
            List<HostPort> wss, String grpc) {
        static Discovery read(Settings s) {
            Duration interval = s.positiveDuration("announce-interval");
            Duration ttl = s.positiveDuration("ttl");
            if (ttl.compareTo(interval.multipliedBy(2)) < 0 || ttl.toMillis() < 1000 || ttl.toHours() >= 1) {
                throw s.invalid("ttl", ttl.toMillis() + "ms", "at least twice announce-interval ("
                        + interval.toMillis() + "ms), at least 1s and under 1h");
            }
            String grpc = s.string("public.grpc");
            if (!grpc.isEmpty()) {
                HostPort.parse("comet.discovery.public.grpc", grpc);
            }
            return new Discovery(s.bool("enabled"), interval, ttl, s.intAtLeast("weight", 0),
                    s.nonNegativeDuration("cpu-smoothing"), optionalAddresses(s, "public.tcp"), optionalAddresses(s, "public.websocket"),
                    optionalAddresses(s, "public.tls-tcp"), optionalAddresses(s, "public.wss"), grpc);
        }

        private static List<HostPort> optionalAddresses(Settings s, String path) {
            return s.strings(path).isEmpty() ? List.of() : s.addresses(path);
        }
    }

    /**
     * The {@code upstream} section: what comet does with a client's message (op 4). In
     * {@link Mode#ECHO} only {@code mode} matters.
     */
    public record Upstream(Mode mode, String bootstrapServers, String topic, Duration sendTimeout,
            Map<String, Object> kafkaProperties, int rate, int burst, int maxInFlight, int sendQueue) {
        /** echo: goim's op 5 echo; kafka: a record in the upstream topic, answered after Kafka's ack. */
        public enum Mode { ECHO, KAFKA }

        static Upstream read(Settings s) {
            String mode = s.string("mode");
            Mode m = switch (mode) {
                case "echo" -> Mode.ECHO;
                case "kafka" -> Mode.KAFKA;
                default -> throw s.invalid("mode", mode, "echo or kafka");
            };
            Settings kafka = s.section("kafka");
            String topic = kafka.string("topic");
            if (m == Mode.KAFKA && topic.isBlank()) {
                throw kafka.invalid("topic", "\"\"", "a topic name, since mode is kafka");
            }
            return new Upstream(m, kafka.string("bootstrap-servers"), topic, kafka.positiveDuration("send-timeout"),
                    kafka.stringMap("properties"), s.intAtLeast("rate", 0), s.intAtLeast("burst", 1),
                    s.intAtLeast("max-in-flight", 1), s.intAtLeast("send-queue", 1));
        }
    }

    /** The {@code limits} section: what one client address or connection may do (docs/security.md). */
    public record Limits(int perIpConnections, int perIpLoginRate, int perIpLoginBurst, int heldBeforeAuthReply) {
        static Limits read(Settings s) {
            return new Limits(s.intAtLeast("per-ip-connections", 0), s.intAtLeast("per-ip-login-rate", 0),
                    s.intAtLeast("per-ip-login-burst", 1), s.intAtLeast("held-before-auth-reply", 0));
        }
    }

    /** The TLS listeners; {@link #enabled()} only when a certificate and a key are configured. */
    public record Tls(String certFile, String keyFile, Listen tcp, Listen websocket) {
        public boolean enabled() {
            return !certFile.isEmpty() && !keyFile.isEmpty();
        }

        static Tls read(Settings s) {
            Tls tls = new Tls(s.string("cert-file"), s.string("key-file"), Listen.read(s, "tcp"),
                    Listen.read(s, "websocket"));
            if (tls.certFile.isEmpty() != tls.keyFile.isEmpty()) {
                String missing = tls.certFile.isEmpty() ? "cert-file" : "key-file";
                throw s.invalid(missing, "\"\"", "set, since the other of cert-file and key-file is");
            }
            if (tls.enabled()) {
                for (String f : List.of(tls.certFile, tls.keyFile)) {
                    if (!new File(f).isFile()) {
                        throw s.invalid(f.equals(tls.certFile) ? "cert-file" : "key-file", f, "a readable file");
                    }
                }
            }
            return tls;
        }
    }

    /**
     * {@code push.rest}. Its {@code max} bounded the rest alone; {@code cycle} bounds a round
     * and its rest together, so a file that still names {@code max} is refused rather than
     * read with another meaning (or silently ignored, as an unknown key would be).
     */
    private static PassRest pushRest(Settings s) {
        if (s.has("push.rest.max")) {
            throw s.invalid("push.rest.max", s.string("push.rest.max"), "comet.push.rest.cycle instead: the rest now ends at"
                    + " most that long after the round began, see reference.conf");
        }
        return new PassRest(s.doubleAtLeast("push.rest.ratio", 0), s.nonNegativeDuration("push.rest.cycle"));
    }

    public static CometConfig from(Config root) {
        Settings s = Settings.of(root, "comet");
        int low = (int) Math.min(Integer.MAX_VALUE, s.bytesAtLeast("write-buffer.low-water-mark", 1));
        int high = (int) Math.min(Integer.MAX_VALUE, s.bytesAtLeast("write-buffer.high-water-mark", low));
        return new CometConfig(
                s.intAtLeast("server-id", 1),
                Listen.read(s, "tcp"),
                Listen.read(s, "grpc"),
                PeerAuth.read(s),
                s.oneOrMoreAddresses("logic"),
                s.positiveDuration("logic-timeout"),
                s.positiveDuration("handshake-timeout"),
                s.positiveDuration("heartbeat-timeout"),
                (int) Math.min(1 << 20, s.bytesAtLeast("max-body", 0)),
                s.intAtLeast("buckets", 1),
                s.intAtLeast("max-rooms-per-connection", 1),
                s.intAtLeast("event-loop-threads", 0),
                s.positiveDuration("shutdown-grace"),
                Listen.read(s, "websocket"),
                Tls.read(s.section("tls")),
                s.intAtLeast("disconnect-retries", 0),
                s.positiveDuration("disconnect-backoff"),
                s.bytesAtLeast("push.max-pending", 1),
                s.intAtLeast("push.room-window", 0),
                pushRest(s),
                low,
                high,
                s.bytesAtLeast("write-buffer.max-backlog", high),
                s.positiveDuration("slow-consumer-timeout"),
                s.strings("whitelist"),
                s.positiveDuration("renew-interval"),
                s.intAtLeast("renew-batch", 1),
                s.intAtLeast("renew-parallel", 1),
                s.positiveDuration("renew-retry"),
                s.positiveDuration("router-epoch-poll"),
                s.positiveDuration("drain.window"),
                AdminConfig.read(s),
                s.intAtLeast("login-window", 1),
                s.intAtLeast("accept-backlog", 0),
                s.positiveDuration("login-timeout"),
                Limits.read(s.section("limits")),
                Upstream.read(s.section("upstream")),
                Discovery.read(s.section("discovery")),
                s.positiveDuration("online-interval"),
                s.nonNegativeDuration("online-recheck"),
                s.intAtLeast("push.max-paced-broadcasts", 1));
    }
}
