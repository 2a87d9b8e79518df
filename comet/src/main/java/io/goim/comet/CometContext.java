package io.goim.comet;

import io.goim.libs.log.RateLimitedLog;
import io.goim.libs.protocol.ProtocolException;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every connection handler of one comet shares: configuration, the logic client,
 * the buckets and the counters, plus the connection life-cycle steps (register,
 * unregister, protocol error) so each is written once.
 *
 * <p>Thread-safe.
 */
final class CometContext {
    private static final Logger log = LoggerFactory.getLogger(CometContext.class);

    private final CometConfig config;
    private final LogicClient logic;
    private final Buckets buckets;
    private final CometCounters counters = new CometCounters();
    private final RateLimitedLog protocolLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    private final RateLimitedLog disconnectLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);

    CometContext(CometConfig config, LogicClient logic) {
        this.config = config;
        this.logic = logic;
        this.buckets = new Buckets(config.buckets());
    }

    CometConfig config() {
        return config;
    }

    LogicClient logic() {
        return logic;
    }

    Buckets buckets() {
        return buckets;
    }

    CometCounters counters() {
        return counters;
    }

    /** Makes an authenticated connection reachable by its subKey; closes a stale one under the same key. */
    void register(ClientSession session, Channel ch) {
        Channel old = buckets.put(session.key(), ch);
        if (old != null && old != ch) {
            old.close();
        }
    }

    /** Forgets a closed connection and tells logic, unless a newer connection took its key. */
    void unregister(ClientSession session, Channel ch) {
        if (buckets.remove(session.key(), ch)) {
            disconnectLater(session.key(), session.roomId());
        }
    }

    /** Tells logic a connection is gone, without waiting. */
    void disconnectLater(String key, int roomId) {
        logic.disconnect(key, roomId).whenComplete((reply, error) -> {
            if (error != null) {
                disconnectLog.warn("disconnect of {} not reported to logic: {}", key, error.toString());
            }
        });
    }

    /** Closes a connection that broke the protocol or failed, counting and logging (rate-limited). */
    void protocolError(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null
                ? cause.getCause() : cause;
        if (c instanceof ProtocolException pe) {
            counters.protocolError(pe.kind());
            protocolLog.warn("closing {}: {} ({})", ctx.channel().remoteAddress(), pe.getMessage(), pe.kind().label());
        } else if (!(c instanceof IOException)) {
            protocolLog.warn("closing {} after an error: {}", ctx.channel().remoteAddress(), c.toString());
        }
        ctx.close();
    }
}
