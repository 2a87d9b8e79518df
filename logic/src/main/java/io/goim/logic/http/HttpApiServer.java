package io.goim.logic.http;

import io.goim.libs.net.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP listener of the push API, on Netty's HTTP codec:
 * codec → keep-alive → aggregator (body limit) → {@link HttpApiHandler}.
 */
public final class HttpApiServer implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel listener;
    private final HttpApiHandler handler;

    public HttpApiServer(InetSocketAddress address, int threads, int maxBody, HttpApiHandler handler)
            throws InterruptedException {
        this.handler = handler;
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
                            ch.pipeline().addLast(
                                    new HttpServerCodec(),
                                    new HttpServerKeepAliveHandler(),
                                    new ApiAggregator(maxBody, handler.counters()),
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
        handler.awaitAnswered(grace);
        boss.shutdownGracefully(0, grace.toMillis(), TimeUnit.MILLISECONDS).await();
        workers.shutdownGracefully(grace.toMillis() / 5, grace.toMillis(), TimeUnit.MILLISECONDS).await();
    }

    @Override
    public void close() throws InterruptedException {
        close(Duration.ofSeconds(2));
    }
}
