package io.goim.comet.session;

import io.goim.comet.CometConfig;
import io.goim.comet.Whitelist;
import io.goim.comet.transport.Replies;
import io.goim.comet.cluster.UpstreamProducer;
import io.goim.comet.transport.BackpressureHandler;
import io.goim.comet.transport.PerIpLimits;
import com.google.protobuf.ByteString;
import io.goim.comet.cluster.UpstreamProducer.Outcome;
import io.goim.libs.log.RateLimitedLog;
import io.goim.protocol.Op;
import io.goim.protocol.Packet;
import io.goim.protocol.RoomKeys;
import io.goim.proto.UpstreamMsg;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's client messages (op 4) in kafka mode: its rate limit, its bound on
 * messages awaiting Kafka, and the op 5 answer to each (same seq; body {@code {"ret":1}}
 * once Kafka acknowledged the record, {@code {"ret":<code>,"msg":...}} otherwise).
 * Created at a connection's first op 4, so echo mode and silent clients pay nothing.
 *
 * <p>Reads: at {@code max-in-flight} messages awaiting Kafka, comet stops reading from the
 * connection, and starts again when one is answered and the connection is writable
 * ({@link BackpressureHandler} stops reading while it is not; reads go on only when both
 * allow, see {@link #updateReads}).
 *
 * <p>The rate limit is a token bucket kept as one timestamp (GCRA, as {@link PerIpLimits}):
 * {@code tat}, when the bucket is full again.
 *
 * <p>Confined to the channel's event loop.
 */
public final class UpstreamSession {
    private static final Logger log = LoggerFactory.getLogger(UpstreamSession.class);
    private static final RateLimitedLog failures = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    private static final byte[] ACKED = "{\"ret\":1}".getBytes(StandardCharsets.UTF_8);
    /** As logic's HTTP API: try again later (HTTP 503). */
    static final int RET_UNAVAILABLE = 65530;
    static final int RET_RATE_LIMITED = 65527;
    static final int RET_IN_FLIGHT = 65526;

    private final Shared shared;
    private final Connection connection;
    private final UpstreamProducer producer;
    private final CometConfig.Upstream config;
    private final long interval;
    private final long tolerance;
    private long tat;
    private int inFlight;
    /** This session stopped the connection's reads and has yet to start them again. */
    private boolean pausedReads;

    /**
     * What every connection's upstream session shares; one instance per comet (kafka mode only).
     *
     * @param serverId this comet's id, which each record names
     */
    public record Shared(UpstreamProducer producer, CometConfig.Upstream config, int serverId,
            ConnectionRegistry registry, Whitelist whitelist, Replies replies) {
    }

    UpstreamSession(Shared shared, Connection connection) {
        this.shared = shared;
        this.connection = connection;
        this.producer = shared.producer();
        this.config = shared.config();
        this.interval = config.rate() == 0 ? 0 : Math.max(1, 1_000_000_000L / config.rate());
        this.tolerance = interval * config.burst();
        this.tat = System.nanoTime();
    }

    /** A client message: refused, or sent to Kafka and answered once Kafka has. */
    void send(ChannelHandlerContext ctx, Packet p) {
        long now = System.nanoTime();
        if (inFlight >= config.maxInFlight()) {
            // Read in the same batch as the message that filled the bound, or let in by a read the
            // write side started: answered, never queued without bound.
            refuse(ctx, p, Outcome.REFUSED, RET_IN_FLIGHT, "too many messages awaiting acknowledgement (at most "
                    + config.maxInFlight() + ", comet.upstream.max-in-flight)");
            return;
        }
        if (interval > 0) {
            long next = tat - now > 0 ? tat + interval : now + interval;
            if (next - now > tolerance) {
                refuse(ctx, p, Outcome.RATE_LIMITED, RET_RATE_LIMITED, "rate limited: at most " + config.rate()
                        + " messages per second, bursts of " + config.burst() + " (comet.upstream.rate, burst)");
                return;
            }
            tat = next;
        }
        UpstreamMsg.Builder msg = UpstreamMsg.newBuilder()
                .setUserId(connection.userId)
                .setKey(connection.key)
                .setServer(shared.serverId())
                .setBody(ByteString.copyFrom(p.body().nioBuffer()))
                .setSeq(p.seq())
                .setVer(p.ver())
                .setReceivedAtMillis(System.currentTimeMillis());
        msg.addAllRooms(RoomKeys.split(shared.registry().rooms(connection)));
        inFlight++;
        updateReads(ctx);
        int ver = p.ver();
        int seq = p.seq();
        shared.whitelist().log(connection.key, "message seq {} sent to Kafka", seq);
        producer.send(msg.build()).whenComplete((meta, error) -> {
            Outcome outcome = error == null ? Outcome.ACKED : UpstreamProducer.outcome(error);
            if (error == null) {
                producer.acked(System.nanoTime() - now);
            } else {
                producer.count(outcome);
                failures.warn("client message of {} (seq {}) not written to Kafka ({}): {}", connection.key, seq,
                        outcome.label, error.toString());
            }
            try {
                ctx.executor().execute(() -> answered(ctx, ver, seq, outcome));
            } catch (RejectedExecutionException stopping) {
                // The event loops are gone (comet stopped): so is the connection.
            }
        });
    }

    private void answered(ChannelHandlerContext ctx, int ver, int seq, Outcome outcome) {
        inFlight--;
        shared.whitelist().log(connection.key, "message seq {}: {}", seq, outcome.label);
        if (ctx.channel().isActive()) {
            if (outcome == Outcome.ACKED) {
                shared.replies().write(ctx, new Packet(ver, Op.SEND_MSG_REPLY, seq, Unpooled.wrappedBuffer(ACKED)));
            } else {
                String why = outcome == Outcome.TIMED_OUT
                        ? "not acknowledged by Kafka within " + producer.sendTimeout() + ", try again"
                        : outcome == Outcome.REFUSED ? "comet is busy, try again" : "not accepted by Kafka, try again";
                shared.replies().write(ctx, error(ver, seq, RET_UNAVAILABLE, why));
            }
            updateReads(ctx);
        }
    }

    private void refuse(ChannelHandlerContext ctx, Packet p, Outcome outcome, int ret, String why) {
        producer.count(outcome);
        shared.whitelist().log(connection.key, "message seq {} refused: {}", p.seq(), why);
        shared.replies().write(ctx, error(p.ver(), p.seq(), ret, why));
    }

    private static Packet error(int ver, int seq, int ret, String msg) {
        String body = "{\"ret\":" + ret + ",\"msg\":\"" + msg.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        return new Packet(ver, Op.SEND_MSG_REPLY, seq, Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Reads go on while fewer than max-in-flight messages await Kafka and the connection
     * is writable. Called when either changes; {@link BackpressureHandler} runs first on a
     * writability change and may have just started reads this corrects.
     */
    void updateReads(ChannelHandlerContext ctx) {
        ChannelConfig cfg = ctx.channel().config();
        if (inFlight >= config.maxInFlight()) {
            pausedReads = true;
            if (cfg.isAutoRead()) {
                cfg.setAutoRead(false);
            }
        } else if (pausedReads && ctx.channel().isWritable()) {
            pausedReads = false;
            cfg.setAutoRead(true);
        }
    }
}
