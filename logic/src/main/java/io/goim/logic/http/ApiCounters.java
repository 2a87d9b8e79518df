package io.goim.logic.http;

import io.goim.libs.log.RateLimitedLog;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.LoggerFactory;

/**
 * What the HTTP API answered: requests accepted, and requests refused counted by their
 * {@code ret} code. Refusals are logged at most once per second (with how many were
 * suppressed), so a misbehaving backend or a Kafka outage cannot flood the log.
 *
 * <p>Thread-safe and lock-free on the counting path.
 */
public final class ApiCounters {
    private final LongAdder accepted = new LongAdder();
    private final LongAdder connectionErrors = new LongAdder();
    private final ConcurrentMap<Integer, LongAdder> refused = new ConcurrentHashMap<>();
    private final RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(ApiCounters.class), 1, TimeUnit.SECONDS);

    void countAccepted() {
        accepted.increment();
    }

    void rejected(ApiException e, ChannelHandlerContext ctx, String request) {
        refused.computeIfAbsent(e.ret.code(), k -> new LongAdder()).increment();
        log.warn("HTTP {} ret {} to {} for {}: {}", e.ret.status().code(), e.ret.code(),
                ctx == null ? "?" : ctx.channel().remoteAddress(), request, e.getMessage());
    }

    void connectionError(ChannelHandlerContext ctx, Throwable cause) {
        connectionErrors.increment();
        log.warn("HTTP connection {} closed on error: {}", ctx.channel().remoteAddress(), cause.toString());
    }

    /** Connections closed because of an I/O or pipeline error. */
    public long connectionErrors() {
        return connectionErrors.sum();
    }

    /** Requests answered {@code ret: 1}. */
    public long accepted() {
        return accepted.sum();
    }

    /** Requests answered with {@code ret}'s code (shared by two of {@link Ret}'s answers for two codes). */
    public long refused(Ret ret) {
        return refused(ret.code());
    }

    /** Requests answered with {@code ret} (one of {@link Ret}'s error codes). */
    public long refused(int ret) {
        LongAdder n = refused.get(ret);
        return n == null ? 0 : n.sum();
    }
}
