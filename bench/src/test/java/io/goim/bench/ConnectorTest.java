package io.goim.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.protocol.Transport;
import io.goim.protocol.Op;
import io.goim.protocol.Packet;
import io.goim.protocol.PacketCodec;
import io.goim.protocol.Packets;
import io.goim.libs.testing.Await;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The connector over real loopback sockets, against a small goim-speaking server that
 * refuses each user's first attempt: every connection is retried once, comes from one of
 * the configured source addresses, authenticates and receives its pushes.
 */
class ConnectorTest {
    private final Transport transport = Transport.best();
    private final EventLoopGroup group = transport.group(1, "test");
    private final Set<String> refusedOnce = ConcurrentHashMap.newKeySet();
    private final Set<String> sources = ConcurrentHashMap.newKeySet();

    @AfterEach
    void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Closes a user's first connection; on the next one answers op 8 followed by two op 5 in one write. */
    private final class RefuseFirstAttempt extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Packet p = (Packet) msg;
            try {
                if (p.op() != Op.AUTH) {
                    return;
                }
                sources.add(((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress());
                if (refusedOnce.add(p.body().toString(StandardCharsets.US_ASCII))) {
                    ctx.close();
                    return;
                }
                ByteBuf out = ctx.alloc().buffer();
                Packets.write(out, p.ver(), Op.AUTH_REPLY, p.seq(), new byte[0]);
                Packets.write(out, 1, Op.SEND_MSG_REPLY, 0, "{\"a\":1}".getBytes());
                Packets.write(out, 1, Op.SEND_MSG_REPLY, 0, "{\"a\":2}".getBytes());
                ctx.writeAndFlush(out);
            } finally {
                p.release();
            }
        }
    }

    @Test
    void retriesRefusedConnectionsFromEverySourceAddress() throws Exception {
        Channel server = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new PacketCodec(Packets.DEFAULT_MAX_BODY), new RefuseFirstAttempt());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();
        LoadConfig config = LoadConfig.from(ConfigLoader.withDefaults(ConfigFactory.parseMap(Map.of(
                "bench.load.targets", List.of("127.0.0.1:" + port),
                "bench.load.connections", 4,
                "bench.load.first-user-id", 100,
                "bench.load.sources", List.of("127.0.0.2", "127.0.0.3"),
                "bench.load.retries", 1))));
        LoadStats stats = new LoadStats();
        LoadClient.Lifecycle lifecycle = new LoadClient.Lifecycle();
        ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        try {
            new Connector(config, transport, group, stats, lifecycle, channels).connectAll(Long.MAX_VALUE);
            Await.until("4 connections authenticated", Duration.ofSeconds(20), () -> stats.authed.sum() == 4);
            Await.until("8 pushes counted", Duration.ofSeconds(20), () -> stats.pushes.sum() == 8);
            assertEquals(4, stats.authFailed.sum());
            assertEquals(4, stats.retries.sum());
            assertEquals(0, stats.gaveUp.sum());
            assertEquals(4, stats.open.sum());
            assertEquals(Set.of("127.0.0.2", "127.0.0.3"), sources);
            assertEquals(Set.of("100", "101", "102", "103"), refusedOnce);
            assertEquals(4, stats.login.snapshot().getTotalCount(), "one login time per successful attempt");
        } finally {
            lifecycle.stop();
            channels.close().syncUninterruptibly();
            server.close().syncUninterruptibly();
        }
        assertEquals(0, stats.dropped.sum());
    }
}
