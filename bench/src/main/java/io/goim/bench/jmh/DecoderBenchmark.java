package io.goim.bench.jmh;

import io.goim.protocol.Op;
import io.goim.protocol.Packet;
import io.goim.protocol.PacketCodec;
import io.goim.protocol.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * the protocol module's PacketCodec on a stream of {@value #PACKETS} small packets arriving in one read
 * (heartbeats and client messages as comet sees them). Score is per packet.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecoderBenchmark {
    static final int PACKETS = 100;

    private EmbeddedChannel channel;
    private ByteBuf stream;
    private int decoded;

    @Setup(Level.Trial)
    public void setUp() {
        channel = new EmbeddedChannel(new PacketCodec(Packets.DEFAULT_MAX_BODY), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                decoded += ((Packet) msg).op();
                ((Packet) msg).release();
            }
        });
        byte[] body = "{\"msg\":\"hi\"}".getBytes();
        stream = PooledByteBufAllocator.DEFAULT.buffer();
        for (int i = 0; i < PACKETS; i++) {
            Packets.write(stream, 1, i % 2 == 0 ? Op.HEARTBEAT : Op.SEND_MSG, i, i % 2 == 0 ? new byte[0] : body);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        stream.release();
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public int decode() {
        channel.writeInbound(stream.retainedDuplicate());
        return decoded;
    }
}
