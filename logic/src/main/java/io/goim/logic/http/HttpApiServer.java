package io.goim.logic.http;

import io.goim.libs.http.HttpConnectionGuard;
import io.goim.libs.http.HttpDeadlines;
import io.goim.libs.http.HttpLimits;
import io.goim.libs.lifecycle.InFlight;
import io.goim.protocol.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP listener of the push API, on Netty's HTTP codec:
 * deadlines → codec → aggregator (body limit) → in-order requests → {@link HttpApiHandler}.
 * New connections beyond {@code max-connections} are closed at once, and a connection too
 * slow to send a request, or idle too long, is closed ({@link HttpConnectionGuard}, meters
 * {@code goim_logic_http_connections*} and {@code goim_logic_http_timeouts_total}).
 */
public final class HttpApiServer implements AutoCloseable {
    /** Limits for tests that build a server without a configuration. */
    public static final HttpLimits DEFAULT_LIMITS = new HttpLimits(Duration.ofSeconds(10), Duration.ofSeconds(60), 10_000);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel listener;
    /** Requests read and not yet answered (or dropped); the server waits for them on close. */
    private final InFlight inFlight = new InFlight();

    /**
     * @param maxPipelined requests of one connection waiting their turn before it stops reading
     */
    public HttpApiServer(InetSocketAddress address, int threads, int maxBody, int maxPipelined, HttpLimits limits,
            MeterRegistry registry, HttpApiHandler handler) throws InterruptedException {
        HttpConnectionGuard guard = new HttpConnectionGuard(limits, registry, "goim_logic_http", "logic HTTP API");
        Transport transport = Transport.best();
        boss = transport.group(1, "logic-http-accept");
        workers = transport.group(threads, "logic-http");
        try {
            listener = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (!guard.admit(ch)) {
                                return;
                            }
                            HttpDeadlines deadlines = guard.deadlines();
                            ch.pipeline().addLast(
                                    deadlines,
                                    new HttpServerCodec(),
                                    new ApiAggregator(maxBody),
                                    new InOrderRequests(maxPipelined, deadlines, inFlight),
                                    handler);
                        }
                    })
                    .bind(address).sync().channel();
        } catch (Exception | Error e) {
            // A failed bind must not leave the event loops running.
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Stops accepting new connections. */
    public void stopAccepting() throws InterruptedException {
        listener.close().sync();
    }

    /**
     * Closes every connection after the requests already read were answered (a push in
     * flight still gets its {@code {"ret":1}}), waiting at most {@code grace} for them.
     */
    public void close(Duration grace) throws InterruptedException {
        stopAccepting();
        inFlight.awaitIdle(grace);
        boss.shutdownGracefully(0, grace.toMillis(), TimeUnit.MILLISECONDS).await();
        workers.shutdownGracefully(grace.toMillis() / 5, grace.toMillis(), TimeUnit.MILLISECONDS).await();
    }

    @Override
    public void close() throws InterruptedException {
        close(Duration.ofSeconds(2));
    }
}
