package io.goim.comet.transport;

import io.goim.comet.session.AuthHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The pipeline of a client WebSocket connection ({@code ws://host:port/sub}, or wss with
 * TLS; a query string is allowed and ignored), ending in the same auth and session handlers as TCP:
 * <pre>
 *  backpressure (and bytes counter) → [TLS] → HTTP codec → aggregator → demo page (GET /, /goim.js)
 *      → WebSocket handshake, ping/pong (answered under backpressure), close
 *      → frame aggregator → WebSocketPacketCodec (frames ⇄ Packets)
 *      → AuthHandler (replaced by SessionHandler after auth)
 * </pre>
 * A client frame may be at most {@code max-body + 1 KiB} (the JSON envelope); a larger one
 * closes the connection.
 *
 * <p>Sharable: holds no per-channel state.
 */
public final class WebSocketChannelInitializer extends ChannelInitializer<Channel> {
    /** The path goim clients connect to. */
    static final String PATH = "/sub";
    /** The demo page handler's name; the codec removes it once the WebSocket handshake is done. */
    static final String DEMO_PAGE = "demo-page";

    private final Supplier<ChannelHandler> auth;
    private final BackpressureHandler backpressure;
    private final SslContext tls;
    private final WebSocketServerProtocolConfig protocol;
    private final int maxFrame;
    private final DemoPageHandler demoPage = new DemoPageHandler();
    private final WebSocketPacketCodec codec;
    private final PacedWebSocketProtocolHandler.Meters pings;

    /**
     * @param maxBody the largest packet body a client may send
     * @param handshakeTimeout how long the WebSocket handshake may take
     * @param tls the server TLS context, or null for plain ws
     * @param auth makes each connection's first stage (its {@link AuthHandler})
     */
    public WebSocketChannelInitializer(int maxBody, Duration handshakeTimeout, PacedWebSocketProtocolHandler.Meters pings,
            BackpressureHandler backpressure, SslContext tls, Supplier<ChannelHandler> auth) {
        this.auth = auth;
        this.backpressure = backpressure;
        this.tls = tls;
        this.maxFrame = maxBody + 1024;
        this.codec = new WebSocketPacketCodec(maxBody);
        this.pings = pings;
        this.protocol = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(PATH)
                .checkStartsWith(true) // also /sub?query, which some goim browser clients add
                .maxFramePayloadLength(maxFrame)
                .handshakeTimeoutMillis(handshakeTimeout.toMillis())
                .dropPongFrames(true)
                .build();
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast("backpressure", backpressure);
        if (tls != null) {
            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
        }
        ch.pipeline().addLast("http", new HttpServerCodec(4096, 8192, 8192));
        ch.pipeline().addLast("http-aggregator", new HttpObjectAggregator(8192));
        ch.pipeline().addLast(DEMO_PAGE, demoPage);
        ch.pipeline().addLast("websocket", new PacedWebSocketProtocolHandler(protocol, pings));
        ch.pipeline().addLast("frame-aggregator", new WebSocketFrameAggregator(maxFrame));
        ch.pipeline().addLast(Wire.CODEC, codec);
        ch.pipeline().addLast("auth", auth.get());
    }
}
