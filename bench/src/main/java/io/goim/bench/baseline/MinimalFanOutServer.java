package io.goim.bench.baseline;

import io.goim.protocol.Transport;
import io.goim.protocol.PacketCodec;
import io.goim.protocol.Packets;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * The yardstick of the real-path benchmark: a minimal Netty fan-out server speaking
 * goim's client protocols (TCP on one port; WebSocket {@code /sub} with JSON text frames
 * on another), holding every authenticated connection in one room, with no backend at
 * all. It pushes only when told, on standard input, one command per line:
 * <pre>
 *   push RATE BATCH MILLIS   generate RATE msgs/s for MILLIS, BATCH per write → "pushed N"
 *   count                    → "members N"
 *   quit                     → exits
 * </pre>
 * It prints {@code ready} once both ports listen. Event loops: Netty's default (2 × cores),
 * as the comet's.
 *
 * <p>Run: {@code java -cp bench.jar io.goim.bench.baseline.MinimalFanOutServer HOST TCP_PORT WS_PORT}
 */
public final class MinimalFanOutServer {
    private MinimalFanOutServer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: MinimalFanOutServer HOST TCP_PORT WS_PORT");
            System.exit(2);
        }
        String host = args[0];
        Transport transport = Transport.best();
        EventLoopGroup boss = transport.group(1, "baseline-accept");
        EventLoopGroup loops = transport.group(0, "baseline-io");
        ChannelGroup tcpRoom = new DefaultChannelGroup("tcp-room", GlobalEventExecutor.INSTANCE);
        ChannelGroup wsRoom = new DefaultChannelGroup("ws-room", GlobalEventExecutor.INSTANCE);
        FanOutSessions.Tcp tcp = new FanOutSessions.Tcp(tcpRoom);
        FanOutSessions.WebSocket ws = new FanOutSessions.WebSocket(wsRoom);
        try {
            server(transport, boss, loops).childHandler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new PacketCodec(Packets.DEFAULT_MAX_BODY), tcp);
                }
            }).bind(host, Integer.parseInt(args[1])).sync();
            server(transport, boss, loops).childHandler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192), new HttpObjectAggregator(8192),
                            new WebSocketServerProtocolHandler("/sub", null, false, 1 << 16), ws);
                }
            }).bind(host, Integer.parseInt(args[2])).sync();
            System.out.println("ready");
            commands(new RoomGenerator(PooledByteBufAllocator.DEFAULT, tcpRoom, wsRoom), tcpRoom, wsRoom);
        } finally {
            boss.shutdownGracefully();
            loops.shutdownGracefully().syncUninterruptibly();
        }
    }

    private static ServerBootstrap server(Transport transport, EventLoopGroup boss, EventLoopGroup loops) {
        // The comet's listener options, so a login storm meets the same accept queue.
        return new ServerBootstrap().group(boss, loops).channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true);
    }

    private static void commands(RoomGenerator generator, ChannelGroup tcp, ChannelGroup ws) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split("\\s+");
            switch (w[0]) {
                case "push" -> System.out.println("pushed " + generator.push(Integer.parseInt(w[1]),
                        Integer.parseInt(w[2]), Long.parseLong(w[3])));
                case "count" -> System.out.println("members " + (tcp.size() + ws.size()));
                case "quit" -> {
                    return;
                }
                default -> System.out.println("unknown command: " + line);
            }
        }
    }
}
