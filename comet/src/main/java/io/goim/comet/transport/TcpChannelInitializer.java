package io.goim.comet.transport;

import io.goim.comet.CometContext;
import io.goim.comet.session.AuthHandler;
import io.goim.comet.session.SessionHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;

/**
 * The pipeline of a client TCP connection, used by the server and by tests alike:
 * <pre>
 *  backpressure (and bytes counter) → [TLS] → TcpPacketCodec
 *      → AuthHandler (replaced by SessionHandler after auth)
 * </pre>
 *
 * <p>Sharable: holds no per-channel state.
 */
public final class TcpChannelInitializer extends ChannelInitializer<Channel> {
    private final CometContext comet;
    private final BackpressureHandler backpressure;
    private final SslContext tls;

    /** @param tls the server TLS context, or null for plain TCP */
    public TcpChannelInitializer(CometContext comet, SslContext tls) {
        this.comet = comet;
        this.backpressure = new BackpressureHandler(comet);
        this.tls = tls;
    }

    public TcpChannelInitializer(CometContext comet) {
        this(comet, null);
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast("backpressure", backpressure);
        if (tls != null) {
            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
        }
        ch.pipeline().addLast("codec", new TcpPacketCodec(comet.config().maxBody()));
        ch.pipeline().addLast("auth", new AuthHandler(comet));
    }
}
