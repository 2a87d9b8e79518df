package io.goim.logic.http;

import io.goim.libs.log.RateLimitedLog;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelHandlerContext;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * What the HTTP API answered: requests accepted, and requests refused counted by their
 * {@code ret} code. Refusals are logged at most once per second (with how many were
 * suppressed), so a misbehaving backend or a Kafka outage cannot flood the log.
 *
 * <p>The counts are Micrometer counters made by logic's meters class ({@link io.goim.logic.LogicMeters#http}), so
 * {@code /metrics} shows them as they are. Thread-safe and lock-free on the counting path.
 */
public final class ApiCounters {
    private final Counter accepted;
    private final Counter connectionErrors;
    /** One counter per {@link Ret} code (two answers may share a code), made up front (a bounded set). */
    private final Map<Integer, Counter> byRet;
    private final RateLimitedLog log = new RateLimitedLog(LoggerFactory.getLogger(ApiCounters.class), 1, TimeUnit.SECONDS);

    /** {@code byRet}: the counter of each {@link Ret#code}, {@link Ret#OK}'s included; the meters /metrics shows. */
    public ApiCounters(Map<Integer, Counter> byRet, Counter connectionErrors) {
        this.byRet = Map.copyOf(byRet);
        this.accepted = byRet.get(Ret.OK.code());
        this.connectionErrors = connectionErrors;
    }

    void countAccepted() {
        accepted.increment();
    }

    void rejected(ApiException e, ChannelHandlerContext ctx, String request) {
        Counter c = byRet.get(e.ret.code());
        if (c != null) {
            c.increment();
        }
        log.warn("HTTP {} ret {} to {} for {}: {}", e.ret.status().code(), e.ret.code(),
                ctx == null ? "?" : ctx.channel().remoteAddress(), request, e.getMessage());
    }

    void connectionError(ChannelHandlerContext ctx, Throwable cause) {
        connectionErrors.increment();
        log.warn("HTTP connection {} closed on error: {}", ctx.channel().remoteAddress(), cause.toString());
    }
}
