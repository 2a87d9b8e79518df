package io.goim.comet;

import io.goim.protocol.PacketCodec;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Real Netty channel pairs over loopback TCP, with their own event loops:
 * the server end stands for a client connection in comet, the client end decodes goim packets
 * and counts those that arrive. For delivery tests that need thread-safe channels.
 */
public final class LocalPeers implements AutoCloseable {
    /** One pair: {@code server} is what comet writes to; {@code received} counts what arrived. */
    public record Peer(Channel server, Channel client, AtomicInteger received) {
    }

    private final NioEventLoopGroup group = new NioEventLoopGroup(2);
    private final LinkedBlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
    private final Channel acceptor;
    private final InetSocketAddress address;

    public LocalPeers() throws InterruptedException {
        acceptor = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        accepted.add(ch);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        address = (InetSocketAddress) acceptor.localAddress();
    }

    public Peer connect() throws InterruptedException {
        AtomicInteger received = new AtomicInteger();
        Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new PacketCodec(1 << 16), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                received.incrementAndGet();
                                ReferenceCountUtil.release(msg);
                            }
                        });
                    }
                }).connect(address).sync().channel();
        Channel server = accepted.poll(5, TimeUnit.SECONDS);
        return new Peer(server, client, received);
    }

    @Override
    public void close() throws InterruptedException {
        acceptor.close().sync();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await();
    }
}
