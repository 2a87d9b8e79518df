package io.goim.comet.transport;

import io.goim.comet.Whitelist;
import io.goim.comet.session.Connection;
import io.goim.libs.log.RateLimitedLog;
import io.goim.protocol.ProtocolException;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection that broke the protocol or failed, counting it by kind and logging
 * it (rate-limited): the one way every handler of a client pipeline ends a connection for
 * an error, so each kind is counted once whichever handler saw it.
 *
 * <p>Thread-safe; one instance per comet.
 */
public final class ProtocolErrors {
    private static final Logger log = LoggerFactory.getLogger(ProtocolErrors.class);

    private final Map<ProtocolException.Kind, Counter> counts;
    private final Whitelist whitelist;
    private final RateLimitedLog protocolLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);

    /** {@code counts}: one counter per kind. */
    public ProtocolErrors(Map<ProtocolException.Kind, Counter> counts, Whitelist whitelist) {
        this.counts = counts;
        this.whitelist = whitelist;
    }

    /** Closes the connection of {@code ctx} for {@code cause}. Event loop only. */
    public void close(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (!(c instanceof ProtocolException) && (c instanceof CorruptedFrameException || c instanceof TooLongFrameException)) {
            // A WebSocket frame Netty could not decode (bad masking, oversized, bad UTF-8, ...).
            c = new ProtocolException(ProtocolException.Kind.BAD_FRAME, c.getMessage());
        }
        Connection conn = Connection.of(ctx.channel());
        if (c instanceof ProtocolException pe) {
            counts.get(pe.kind()).increment();
            protocolLog.warn("closing {}: {} ({})", ctx.channel().remoteAddress(), pe.getMessage(), pe.kind().label());
            if (conn != null) {
                whitelist.log(conn.key, "protocol error: {} ({})", pe.getMessage(), pe.kind().label());
            }
        } else if (!(c instanceof IOException)) {
            protocolLog.warn("closing {} after an error: {}", ctx.channel().remoteAddress(), c.toString());
        }
        ctx.close();
    }
}
