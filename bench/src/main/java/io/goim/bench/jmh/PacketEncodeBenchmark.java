package io.goim.bench.jmh;

import io.goim.protocol.Op;
import io.goim.protocol.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Encoding one push packet (header + body) into a pooled buffer, as comet does per message. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PacketEncodeBenchmark {
    @Param({"32", "512"})
    public int bodyBytes;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private byte[] body;

    @Setup
    public void setUp() {
        body = new byte[bodyBytes];
    }

    @Benchmark
    public int encode() {
        ByteBuf out = Packets.encode(alloc, 1, Op.SEND_MSG_REPLY, 0, body);
        int n = out.readableBytes();
        out.release();
        return n;
    }
}
