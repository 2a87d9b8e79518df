package io.goim.bench;

import io.goim.libs.config.HostPort;
import io.goim.protocol.Transport;
import io.goim.protocol.PacketCodec;
import io.goim.protocol.Packets;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Opens the load client's connections (goim TCP, or WebSocket when {@code websocket-path}
 * is set): connection i goes to target i mod |targets|, from
 * source address i mod |sources|, as user {@code first-user-id + i}. At most
 * {@code in-flight} connections are between connect and auth reply at a time. A connection
 * whose connect or auth fails is tried again (same user) after {@value #RETRY_DELAY_MS} ms,
 * up to {@code retries} more times, as a real client reconnects; every failed attempt is
 * counted. {@link #connectAll} runs on one dedicated thread; retries run on the event loops.
 */
final class Connector {
    private static final long RETRY_DELAY_MS = 1000;

    private final LoadConfig config;
    private final EventLoopGroup group;
    private final LoadStats stats;
    private final LoadClient.Lifecycle lifecycle;
    private final ChannelGroup channels;
    private final Semaphore inFlight;
    private final Bootstrap bootstrap;

    Connector(LoadConfig config, Transport transport, EventLoopGroup group, LoadStats stats,
            LoadClient.Lifecycle lifecycle, ChannelGroup channels) {
        this.config = config;
        this.group = group;
        this.stats = stats;
        this.lifecycle = lifecycle;
        this.channels = channels;
        this.inFlight = new Semaphore(config.inFlight());
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
        if (transport == Transport.EPOLL) {
            // Pick the source port at connect time, so a port is unique per destination, not per address.
            bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }
    }

    /** Opens every connection once (blocking on the in-flight limit); stops early at {@code endNanos}. */
    void connectAll(long endNanos) {
        for (int i = 0; i < config.connections() && !lifecycle.stopping() && System.nanoTime() < endNanos; i++) {
            try {
                inFlight.acquire();
            } catch (InterruptedException e) {
                return;
            }
            connect(i, 0);
        }
    }

    /** Starts attempt {@code attempt} (0 = first) of connection {@code i}; the caller holds an in-flight permit. */
    private void connect(int i, int attempt) {
        long userId = config.firstUserId() + i;
        HostPort target = config.targets().get(i % config.targets().size());
        InetSocketAddress local = config.sources().isEmpty() ? null
                : new InetSocketAddress(config.sources().get(i % config.sources().size()), 0);
        long heartbeat = config.heartbeat().toNanos();
        long authTimeout = config.authTimeout().toNanos();
        Runnable onAuthenticated = inFlight::release;
        Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                Runnable onFailed = () -> failed(i, attempt);
                if (config.websocketPath() == null) {
                    ch.pipeline().addLast("decoder", new PacketCodec(Packets.DEFAULT_MAX_BODY));
                    ch.pipeline().addLast("connection", new TcpLoadConnection(stats, userId, heartbeat, authTimeout,
                            onAuthenticated, onFailed, lifecycle));
                } else {
                    URI uri = URI.create("ws://" + target.host() + ":" + target.port() + config.websocketPath());
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16),
                            new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(
                                    uri, WebSocketVersion.V13, null, false, new DefaultHttpHeaders(), 1 << 20)));
                    ch.pipeline().addLast("connection", new WsLoadConnection(stats, userId, heartbeat, authTimeout,
                            onAuthenticated, onFailed, lifecycle));
                }
            }
        });
        ChannelFuture f = local == null ? b.connect(target.socketAddress()) : b.connect(target.socketAddress(), local);
        channels.add(f.channel());
        f.addListener(done -> {
            if (!done.isSuccess()) {
                stats.connectFailed.increment();
                failed(i, attempt);
            }
        });
    }

    private void failed(int i, int attempt) {
        inFlight.release();
        if (attempt >= config.retries() || lifecycle.stopping()) {
            stats.gaveUp.increment();
            return;
        }
        group.schedule(() -> retry(i, attempt + 1), RETRY_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    /** On an event loop: never blocks for a permit, tries again a little later instead. */
    private void retry(int i, int attempt) {
        if (lifecycle.stopping()) {
            return;
        }
        if (!inFlight.tryAcquire()) {
            group.schedule(() -> retry(i, attempt), 100, TimeUnit.MILLISECONDS);
            return;
        }
        stats.retries.increment();
        connect(i, attempt);
    }
}
