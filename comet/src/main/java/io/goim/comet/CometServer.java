package io.goim.comet;

import com.typesafe.config.Config;
import io.goim.libs.grpc.GrpcChannels;
import io.goim.libs.lifecycle.ServiceMain;
import io.goim.libs.lifecycle.ShutdownSequence;
import io.goim.libs.net.Transport;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The comet service: client listeners, the push service job calls, and the logic client
 * used for auth. {@link #main} is the jar's entry point; tests call {@link #start} (port 0
 * picks free ports) and {@link #close}.
 */
public final class CometServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CometServer.class);

    private final ShutdownSequence shutdown = new ShutdownSequence("comet");
    private final CometContext comet;
    private final Channel tcp;
    private final Server grpc;

    private CometServer(CometConfig config) throws Exception {
        Transport transport = Transport.best();
        LogicClient logic = new LogicClient(config.logic(), config.logicTimeout(), config.serverId());
        comet = new CometContext(config, logic);
        EventLoopGroup boss = transport.group(1, "comet-accept");
        EventLoopGroup workers = transport.group(config.eventLoopThreads(), "comet-io");
        try {
            tcp = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new TcpChannelInitializer(comet))
                    .bind(config.tcp().socketAddress()).sync().channel();
            grpc = NettyServerBuilder.forAddress(config.grpc().socketAddress())
                    .addService(new PushService(comet))
                    .build()
                    .start();
        } catch (Exception e) {
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            logic.close();
            throw e;
        }
        shutdown.then("tcp accept", () -> tcp.close().sync())
                .then("push grpc server", () -> GrpcChannels.close(grpc, config.shutdownGrace()))
                .then("client connections", () -> workers.shutdownGracefully(0, config.shutdownGrace().toMillis(),
                        TimeUnit.MILLISECONDS).await())
                .then("accept loop", () -> boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).await())
                .then("logic client", logic::close);
        log.info("comet {} ({}) serving TCP on {}, push gRPC on {}, logic at {}", config.serverId(), transport,
                tcp.localAddress(), grpc.getListenSockets(), config.logic());
    }

    public static CometServer start(Config config) throws Exception {
        return new CometServer(CometConfig.from(config));
    }

    public static void main(String[] args) {
        ServiceMain.run("comet", args, CometServer::start);
    }

    public int tcpPort() {
        return ((InetSocketAddress) tcp.localAddress()).getPort();
    }

    public int grpcPort() {
        return grpc.getPort();
    }

    /** Number of authenticated connections. */
    public int online() {
        return comet.buckets().online();
    }

    public CometCounters counters() {
        return comet.counters();
    }

    @Override
    public void close() throws Exception {
        shutdown.close();
    }
}
