package io.goim.libs.http;

import io.goim.libs.config.Settings;
import java.time.Duration;

/**
 * What an HTTP listener allows a connection, so a client that trickles a request, or
 * opens connections and sends nothing, cannot hold the server's sockets. Immutable.
 *
 * @param requestTimeout the longest a connection may take to deliver one whole request
 *     (head and body), counted from its first byte, or from the connection's opening
 *     for its first request
 * @param idleTimeout the longest a keep-alive connection may sit between an answer and
 *     the first byte of its next request
 * @param maxConnections connections open at once; a new one beyond it is closed at once
 */
public record HttpLimits(Duration requestTimeout, Duration idleTimeout, int maxConnections) {

    public HttpLimits {
        if (requestTimeout.isNegative() || requestTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive: " + requestTimeout + ", " + idleTimeout);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 1)");
        }
    }

    /** Reads {@code request-timeout}, {@code idle-timeout} and {@code max-connections} of {@code section}. */
    public static HttpLimits read(Settings section) {
        return new HttpLimits(section.positiveDuration("request-timeout"), section.positiveDuration("idle-timeout"),
                section.intAtLeast("max-connections", 1));
    }

    /**
     * Reads {@code request-timeout} and {@code max-connections} of a listener that closes
     * every connection after one answer (the admin port): it has no idle time to limit.
     */
    public static HttpLimits readOneShot(Settings section) {
        Duration request = section.positiveDuration("request-timeout");
        return new HttpLimits(request, request, section.intAtLeast("max-connections", 1));
    }
}
