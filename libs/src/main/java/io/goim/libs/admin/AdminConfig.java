package io.goim.libs.admin;

import io.goim.libs.config.Listen;
import io.goim.libs.http.HttpLimits;
import io.goim.libs.config.Settings;
import java.time.Duration;

/**
 * The {@code admin} section every service has: where {@link AdminServer} listens and how
 * long {@code /ready} waits for its dependency checks. Immutable.
 *
 * <pre>
 * admin {
 *   host = "127.0.0.1"
 *   port = 7171
 *   ready-timeout = 1s
 *   request-timeout = 10s
 *   max-connections = 64
 * }
 * </pre>
 */
public record AdminConfig(Listen listen, Duration readyTimeout, HttpLimits limits) {

    /**
     * The deadline for each dependency check (a ping, a Kafka describe): three quarters of
     * {@code ready-timeout}, so a check fails with its own message, naming the dependency,
     * before {@code /ready} gives up with a generic timeout.
     */
    public Duration checkDeadline() {
        return readyTimeout.multipliedBy(3).dividedBy(4);
    }

    /** Reads {@code <service>.admin} from the service's settings. */
    public static AdminConfig read(Settings service) {
        Settings s = service.section("admin");
        return new AdminConfig(Listen.read(service, "admin"), s.positiveDuration("ready-timeout"),
                HttpLimits.readOneShot(s));
    }
}
