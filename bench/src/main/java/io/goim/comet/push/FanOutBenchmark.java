package io.goim.comet.push;

import com.google.protobuf.ByteString;
import io.goim.comet.CometMeters;
import io.goim.comet.Whitelist;
import io.goim.comet.session.Connection;
import io.goim.comet.session.ConnectionRegistry;
import io.goim.comet.transport.Wire;
import io.goim.protocol.Op;
import io.goim.protocol.Packets;
import io.goim.protocol.RoomKeys;
import io.goim.proto.Proto;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Room fan-out on comet's production push path: a push call's message encoded once
 * ({@link PushMessage#of}), queued by {@link Outboxes#toRoom} to the room's event loop, and
 * written by that loop's {@link LoopOutbox} pass to each of {@value #CHANNELS} members as a
 * retained duplicate of the shared encoding (TCP bytes, or the WebSocket frame built once),
 * then flushed once per connection. The members are in-VM ({@code LocalChannel}) connections
 * on one loop whose client ends, on the same loop, release what they receive: no socket and
 * no cross-thread hand-off per connection, so this is comet's own cost per connection
 * (pass, pipeline, reference counting, flush), not the kernel's. Score is per connection; one invocation is one push call,
 * measured until comet answers it (every member written).
 *
 * <p>In the {@code io.goim.comet} package because the push path is package-private.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FanOutBenchmark {
    static final int CHANNELS = 1000;
    private static final String ROOM = RoomKeys.ofV1(1);

    /** How the members read: goim's TCP packets, or WebSocket text (JSON) or binary frames. */
    @Param({"TCP", "WS_TEXT", "WS_BINARY"})
    public String wire;

    private EventLoopGroup server;
    private EventLoopGroup clients;
    private Channel acceptor;
    private final List<Channel> members = new ArrayList<>();
    private Outboxes outboxes;
    private Proto push;

    @Setup(Level.Trial)
    public void setUp() throws InterruptedException {
        ConnectionRegistry buckets = new ConnectionRegistry(32);
        outboxes = new Outboxes(buckets, new CometMeters(new SimpleMeterRegistry()).push, new Whitelist(List.of()),
                1L << 30, 0, PassRest.NONE, 4L << 20);
        Wire w = Wire.valueOf(wire);
        server = new DefaultEventLoopGroup(1);
        // The client ends share the members' loop: an in-VM write to a channel of the same loop
        // is handed over inline, so no cross-thread task per connection hides comet's own cost.
        clients = server;
        LocalAddress address = new LocalAddress("fan-out-" + System.nanoTime());
        List<Channel> accepted = new ArrayList<>();
        CountDownLatch allAccepted = new CountDownLatch(CHANNELS);
        acceptor = new ServerBootstrap().group(server).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel ch) {
                        synchronized (accepted) {
                            accepted.add(ch);
                        }
                        allAccepted.countDown();
                    }
                }).bind(address).sync().channel();
        Bootstrap client = new Bootstrap().group(clients).channel(LocalChannel.class)
                .handler(Discard.INSTANCE);
        for (int i = 0; i < CHANNELS; i++) {
            members.add(client.connect(address).sync().channel());
        }
        if (!allAccepted.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("members not accepted within 30 s");
        }
        synchronized (accepted) {
            for (int i = 0; i < accepted.size(); i++) {
                Channel ch = accepted.get(i);
                buckets.put(new Connection(i + "_1", i, ch, w), ROOM);
                outboxes.of(ch.eventLoop());
            }
        }
        push = Proto.newBuilder().setVer(Packets.PUSH_VER).setOp(Op.SEND_MSG_REPLY)
                .setBody(ByteString.copyFromUtf8("{\"room\":1,\"msg\":\"hello\"}")).build();
    }

    /** A member's client end: reads and drops what comet wrote. */
    @ChannelHandler.Sharable
    private static final class Discard extends ChannelInboundHandlerAdapter {
        static final Discard INSTANCE = new Discard();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        for (Channel ch : members) {
            ch.close().sync();
        }
        acceptor.close().sync();
        server.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** One push call to the room, as comet's push service makes it; returns the members written. */
    @Benchmark
    @OperationsPerInvocation(CHANNELS)
    public int toRoom() throws Exception {
        PushMessage msg = PushMessage.of(ByteBufAllocator.DEFAULT, push);
        CompletableFuture<Integer> written = new CompletableFuture<>();
        try {
            outboxes.toRoom(ROOM, msg, written::complete);
        } finally {
            msg.release();
        }
        int n = written.get(10, TimeUnit.SECONDS);
        if (n != CHANNELS) {
            throw new IllegalStateException(n + " members written (expected: " + CHANNELS + ")");
        }
        return n;
    }
}
