package io.goim.bench.jmh;

import io.goim.protocol.Op;
import io.goim.protocol.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
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
 * Broadcast fan-out: one encoded buffer written to {@value #CHANNELS} channels as a
 * retained duplicate each (comet's rule: encode once). Score is per channel. Embedded
 * channels have no socket, so this is the pipeline and reference-counting cost only; the
 * outbound queues are drained (released) after each fan-out, inside the measurement.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FanOutBenchmark {
    static final int CHANNELS = 1000;

    private EmbeddedChannel[] channels;
    private ByteBuf encoded;

    @Setup(Level.Trial)
    public void setUp() {
        channels = new EmbeddedChannel[CHANNELS];
        for (int i = 0; i < CHANNELS; i++) {
            channels[i] = new EmbeddedChannel();
        }
        byte[] body = "{\"room\":1,\"msg\":\"hello\"}".getBytes();
        encoded = Packets.encode(PooledByteBufAllocator.DEFAULT, 1, Op.SEND_MSG_REPLY, 0, body);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
        encoded.release();
    }

    @Benchmark
    @OperationsPerInvocation(CHANNELS)
    public void writeAndFlushDuplicate() {
        for (EmbeddedChannel ch : channels) {
            ch.writeAndFlush(encoded.retainedDuplicate(), ch.voidPromise());
        }
        for (EmbeddedChannel ch : channels) {
            ch.releaseOutbound();
        }
    }

    @Benchmark
    @OperationsPerInvocation(CHANNELS)
    public void writeAndFlushCopy() {
        for (EmbeddedChannel ch : channels) {
            ch.writeAndFlush(encoded.copy(), ch.voidPromise());
        }
        for (EmbeddedChannel ch : channels) {
            ch.releaseOutbound();
        }
    }
}
