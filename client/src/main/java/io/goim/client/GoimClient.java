package io.goim.client;

import io.goim.client.internal.ClientHandler;
import io.goim.client.internal.WsJsonCodec;
import io.goim.libs.net.Transport;
import io.goim.libs.protocol.PacketDecoder;
import io.goim.libs.protocol.PacketEncoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * A goim client over TCP or WebSocket: connects, authenticates with a token, heartbeats,
 * hands pushes to a {@link PushListener}, and reconnects with exponential backoff and
 * jitter whenever the connection is lost, until {@link #close()}.
 *
 * <pre>
 * GoimClient client = GoimClient.tcp("127.0.0.1", 8080)
 *         .token("42")
 *         .listener((op, body) -> System.out.println(new String(body, UTF_8)))
 *         .build();
 * client.start().get(5, SECONDS);   // completes on the first successful auth
 * ...
 * client.close();
 * </pre>
 *
 * <p>Thread-safe. Listener calls come from the client's event loop.
 */
public final class GoimClient implements AutoCloseable {
    private final Builder config;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final EventLoop loop;
    private final CompletableFuture<Void> firstAuth = new CompletableFuture<>();
    private volatile Channel channel;
    private volatile boolean authenticated;
    private volatile boolean closed;
    private Throwable lastFailure;
    private int attempt;

    private GoimClient(Builder b) {
        this.config = b;
        this.ownsGroup = b.group == null;
        this.group = ownsGroup ? Transport.best().group(1, "goim-client") : b.group;
        this.loop = group.next();
    }

    /** A client of comet's TCP protocol. */
    public static Builder tcp(String host, int port) {
        return new Builder(host, port, null);
    }

    /** A client of comet's WebSocket protocol, e.g. {@code ws://127.0.0.1:8090/sub} or {@code wss://…}. */
    public static Builder webSocket(URI uri) {
        int port = uri.getPort() > 0 ? uri.getPort() : "wss".equals(uri.getScheme()) ? 443 : 80;
        return new Builder(uri.getHost(), port, uri);
    }

    /** Starts connecting; the future completes at the first successful auth. */
    public CompletableFuture<Void> start() {
        loop.execute(this::connect);
        return firstAuth;
    }

    /** True while the current connection is authenticated. */
    public boolean isAuthenticated() {
        return authenticated;
    }

    /** Sends a client message (goim op 4, answered by the server with op 5) if connected. */
    public boolean send(int op, byte[] body) {
        Channel ch = channel;
        if (ch == null || !authenticated) {
            return false;
        }
        ClientHandler.send(ch, op, body);
        return true;
    }

    private void connect() {
        if (closed) {
            return;
        }
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(Transport.best().socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout.toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) throws SSLException {
                        initPipeline(ch);
                    }
                });
        if (config.localAddress != null) {
            b.localAddress(config.localAddress, 0);
        }
        ChannelFuture f = b.connect(config.host, config.port);
        channel = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                lastFailure = done.cause();
                scheduleReconnect();
            } else {
                f.channel().closeFuture().addListener(c -> {
                    authenticated = false;
                    scheduleReconnect();
                });
            }
        });
    }

    private void initPipeline(Channel ch) throws SSLException {
        ClientHandler.Events events = new ClientHandler.Events() {
            @Override
            public void authenticated() {
                authenticated = true;
                attempt = 0;
                firstAuth.complete(null);
                config.listener.onAuthenticated();
            }

            @Override
            public void packet(int op, byte[] body) {
                config.listener.onPush(op, body);
            }

            @Override
            public void failed(Throwable cause) {
                lastFailure = cause;
            }
        };
        boolean secure = config.uri != null ? "wss".equals(config.uri.getScheme()) : config.tls;
        if (secure) {
            SslContextBuilder ssl = SslContextBuilder.forClient();
            if (config.trustAll) {
                ssl.trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE);
            }
            SslContext ctx = ssl.build();
            ch.pipeline().addLast(ctx.newHandler(ch.alloc(), config.host, config.port));
        }
        long heartbeat = config.heartbeat.toNanos();
        if (config.uri == null) {
            ch.pipeline().addLast(new PacketDecoder(config.maxBody), PacketEncoder.INSTANCE,
                    new ClientHandler(config.token, false, heartbeat, events));
        } else {
            ch.pipeline().addLast(
                    new HttpClientCodec(),
                    new HttpObjectAggregator(8192),
                    new WebSocketClientProtocolHandler(config.uri, WebSocketVersion.V13, null, true,
                            new DefaultHttpHeaders(), config.maxBody + 1024),
                    new WsJsonCodec(),
                    new ClientHandler(config.token, true, heartbeat, events));
        }
    }

    private void scheduleReconnect() {
        if (closed) {
            config.listener.onDisconnected(lastFailure, -1);
            return;
        }
        long delay = config.backoff.delayMillis(attempt++);
        config.listener.onDisconnected(lastFailure, delay);
        lastFailure = null;
        loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    /** Closes the connection and stops reconnecting. */
    @Override
    public void close() {
        closed = true;
        Channel ch = channel;
        if (ch != null) {
            ch.close().syncUninterruptibly();
        }
        if (ownsGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        firstAuth.completeExceptionally(new IllegalStateException("client closed"));
    }

    /** Settings of a {@link GoimClient}. Not thread-safe; build once. */
    public static final class Builder {
        private final String host;
        private final int port;
        private final URI uri;
        private byte[] token = new byte[0];
        private Duration heartbeat = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Backoff backoff = Backoff.defaults();
        private int maxBody = 1 << 20;
        private boolean tls;
        private boolean trustAll;
        private String localAddress;
        private EventLoopGroup group;
        private PushListener listener;

        private Builder(String host, int port, URI uri) {
            this.host = Objects.requireNonNull(host, "host");
            this.port = port;
            this.uri = uri;
        }

        /** The auth token: over TCP the op 7 body; over WebSocket the JSON of {@code body} (a user id like {@code 42}). */
        public Builder token(String token) {
            this.token = token.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /** Heartbeat interval (default 30 s; must be below the server's heartbeat timeout, 5 min in goim). */
        public Builder heartbeat(Duration interval) {
            this.heartbeat = interval;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder backoff(Backoff backoff) {
            this.backoff = backoff;
            return this;
        }

        /** Largest packet body accepted from the server (default 1 MiB). */
        public Builder maxBody(int bytes) {
            this.maxBody = bytes;
            return this;
        }

        /** TCP over TLS (for WebSocket, use a {@code wss://} URI instead). */
        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        /** Accepts any server certificate: for tests with self-signed certificates only. */
        public Builder trustAllCertificates() {
            this.trustAll = true;
            return this;
        }

        /** Source address to connect from, e.g. {@code 127.0.0.2} (load tests spread over addresses). */
        public Builder localAddress(String address) {
            this.localAddress = address;
            return this;
        }

        /** Shares an event loop group between many clients; the client does not shut it down. */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = group;
            return this;
        }

        public Builder listener(PushListener listener) {
            this.listener = listener;
            return this;
        }

        public GoimClient build() {
            if (listener == null) {
                throw new IllegalStateException("listener: not set");
            }
            if (heartbeat.isZero() || heartbeat.isNegative()) {
                throw new IllegalArgumentException("heartbeat: " + heartbeat + " (expected: > 0)");
            }
            return new GoimClient(this);
        }
    }
}
