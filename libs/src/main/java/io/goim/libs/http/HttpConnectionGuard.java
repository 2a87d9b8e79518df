package io.goim.libs.http;

import io.goim.libs.log.RateLimitedLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * The limits of one HTTP listener ({@link HttpLimits}) and their meters: admits a new
 * connection only under the cap, and gives each admitted one its {@link HttpDeadlines}.
 * Meters, under {@code prefix} (e.g. {@code goim_logic_http}):
 * <ul>
 *   <li>{@code <prefix>_connections}: open connections (gauge);
 *   <li>{@code <prefix>_connections_refused_total}: connections closed at once because the
 *       cap was reached;
 *   <li>{@code <prefix>_timeouts_total{reason=request|idle}}: connections closed by a deadline.
 * </ul>
 * Refusals and request timeouts are logged at most once per second; idle closes are the
 * normal end of a keep-alive connection and only counted.
 *
 * <p>Thread-safe: one instance per listener, used from every event loop.
 */
public final class HttpConnectionGuard implements HttpDeadlines.Listener {
    private final HttpLimits limits;
    private final String what;
    private final AtomicInteger open = new AtomicInteger();
    private final Counter refused;
    private final Map<HttpDeadlines.Reason, Counter> timeouts = new EnumMap<>(HttpDeadlines.Reason.class);
    private final RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(HttpConnectionGuard.class), 1,
            TimeUnit.SECONDS);

    /** {@code what} names the listener in log lines, e.g. "logic HTTP API". */
    public HttpConnectionGuard(HttpLimits limits, MeterRegistry registry, String prefix, String what) {
        this.limits = limits;
        this.what = what;
        Gauge.builder(prefix + "_connections", open, AtomicInteger::get)
                .description("Open connections on the " + what).register(registry);
        refused = Counter.builder(prefix + "_connections_refused")
                .description("Connections to the " + what + " closed at once: max-connections were open")
                .register(registry);
        for (HttpDeadlines.Reason r : HttpDeadlines.Reason.values()) {
            timeouts.put(r, Counter.builder(prefix + "_timeouts")
                    .description("Connections to the " + what + " closed by request-timeout or idle-timeout")
                    .tag("reason", r.name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry));
        }
    }

    /**
     * Counts {@code ch} as open until it closes, or, when {@link HttpLimits#maxConnections}
     * are open already, closes it at once and returns false. Call from the channel initializer.
     */
    public boolean admit(Channel ch) {
        if (open.incrementAndGet() > limits.maxConnections()) {
            open.decrementAndGet();
            refused.increment();
            log.warn("{}: refused connection from {}: {} connections open (max-connections)", what,
                    ch.remoteAddress(), limits.maxConnections());
            ch.close();
            return false;
        }
        ch.closeFuture().addListener(f -> open.decrementAndGet());
        return true;
    }

    /** A new deadline handler for one admitted connection; put it first in its pipeline. */
    public HttpDeadlines deadlines() {
        return new HttpDeadlines(limits, this);
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    @Override
    public void closed(ChannelHandlerContext ctx, HttpDeadlines.Reason reason) {
        timeouts.get(reason).increment();
        if (reason == HttpDeadlines.Reason.REQUEST) {
            log.warn("{}: closed connection from {}: no complete request within {} (request-timeout)", what,
                    ctx.channel().remoteAddress(), limits.requestTimeout());
        }
    }
}
