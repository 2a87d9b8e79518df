package io.goim.bench.jmh;

import io.goim.protocol.Op;
import io.goim.protocol.PacketBatch;
import io.goim.protocol.Packets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
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

/**
 * Building an OP_RAW batch body as job does for a room: {@code batch} queued messages laid
 * end to end as complete op 5 packets in one buffer sized up front ({@link PacketBatch}, as job's).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RawBatchBenchmark {
    @Param({"1", "10", "40"})
    public int batch;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private List<byte[]> messages;
    private int size;

    @Setup
    public void setUp() {
        messages = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            messages.add(("{\"room\":1,\"msg\":\"message number " + i + "\"}").getBytes());
        }
        size = 0;
        for (byte[] m : messages) {
            size += Packets.HEADER_LENGTH + m.length;
        }
    }

    @Benchmark
    public int build() {
        ByteBuf raw = alloc.buffer(size);
        for (byte[] m : messages) {
            PacketBatch.writePush(raw, Op.SEND_MSG_REPLY, m);
        }
        int n = raw.readableBytes();
        raw.release();
        return n;
    }
}
