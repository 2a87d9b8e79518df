package io.goim.comet.transport;

import io.goim.comet.session.AuthHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;
import java.util.function.Supplier;

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
    private final int maxBody;
    private final BackpressureHandler backpressure;
    private final SslContext tls;
    private final Supplier<ChannelHandler> auth;

    /**
     * @param maxBody the largest packet body a client may send
     * @param tls the server TLS context, or null for plain TCP
     * @param auth makes each connection's first stage (its {@link AuthHandler})
     */
    public TcpChannelInitializer(int maxBody, BackpressureHandler backpressure, SslContext tls,
            Supplier<ChannelHandler> auth) {
        this.maxBody = maxBody;
        this.backpressure = backpressure;
        this.tls = tls;
        this.auth = auth;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast("backpressure", backpressure);
        if (tls != null) {
            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
        }
        ch.pipeline().addLast(Wire.CODEC, new TcpPacketCodec(maxBody));
        ch.pipeline().addLast("auth", auth.get());
    }
}
