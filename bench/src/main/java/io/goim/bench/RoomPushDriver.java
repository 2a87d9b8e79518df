package io.goim.bench;

import com.google.protobuf.ByteString;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.config.InvalidConfigException;
import io.goim.libs.grpc.GrpcChannels;
import io.goim.protocol.Op;
import io.goim.protocol.PacketBatch;
import io.goim.protocol.Packets;
import io.goim.proto.BroadcastRoomReply;
import io.goim.proto.BroadcastRoomReq;
import io.goim.proto.CometGrpc;
import io.goim.proto.Proto;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures room deliveries per comet CPU-second. Pushes room messages straight into one
 * comet through its push gRPC ({@code BroadcastRoom}), as job does: one op 5 packet per
 * call, or an OP_RAW batch (body = {@code batch} complete op 5 packets laid end to end).
 * Deliveries are what the load clients actually received (the sum of the {@code pushes}
 * counters in their stats files), comet CPU is read from {@code /proc/<pid>/stat}.
 *
 * <p>Phases: wait until the clients' counters are still; warm up (JIT) for {@code warmup};
 * take the first reading; push for {@code duration}; wait for the replies and until the
 * counters are still again; take the second reading. Comet CPU therefore covers every
 * delivery of the window and a little idle time, never less.
 *
 * <p>Run: {@code java -Dbench.push.comet-pid=PID -Dbench.push.stats-dir=DIR -cp bench/target/bench-*.jar
 * io.goim.bench.RoomPushDriver}
 */
public final class RoomPushDriver {
    private RoomPushDriver() {
    }

    public static void main(String[] args) throws Exception {
        PushConfig config;
        try {
            config = PushConfig.from(ConfigLoader.load(args));
        } catch (InvalidConfigException e) {
            System.err.println("bench: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        ManagedChannel channel = GrpcChannels.plaintext(config.comet());
        try {
            run(config, channel);
        } finally {
            GrpcChannels.close(channel, Duration.ofSeconds(5));
        }
    }

    /** The BroadcastRoom request sent on every call. */
    static BroadcastRoomReq request(PushConfig config) {
        byte[] body = new byte[config.bodyBytes()];
        Arrays.fill(body, (byte) 'x');
        if (config.batch() == 1) {
            return BroadcastRoomReq.newBuilder().setRoomKey(Integer.toString(config.room()))
                    .setProto(Proto.newBuilder().setVer(Packets.PUSH_VER).setOp(Op.SEND_MSG_REPLY).setBody(ByteString.copyFrom(body)))
                    .build();
        }
        ByteBuf raw = Unpooled.buffer(config.batch() * (Packets.HEADER_LENGTH + body.length));
        for (int i = 0; i < config.batch(); i++) {
            PacketBatch.writePush(raw, Op.SEND_MSG_REPLY, body);
        }
        ByteString batch = ByteString.copyFrom(ByteBufUtil.getBytes(raw));
        raw.release();
        return BroadcastRoomReq.newBuilder().setRoomKey(Integer.toString(config.room()))
                .setProto(Proto.newBuilder().setVer(Packets.PUSH_VER).setOp(Op.RAW).setBody(batch))
                .build();
    }

    private static void run(PushConfig config, ManagedChannel channel) throws Exception {
        CometGrpc.CometStub stub = CometGrpc.newStub(channel);
        BroadcastRoomReq req = request(config);
        long members = config.statsDir() == null ? 0 : StatsDir.sum(config.statsDir(), "open");
        System.out.printf("push: room %d on %s, %d packet(s) of %d B per call, rate %s, in-flight %d, members %d%n",
                config.room(), config.comet(), config.batch(), config.bodyBytes(),
                config.rate() == 0 ? "max" : config.rate() + "/s", config.inFlight(), members);
        settledDeliveries(config);
        push(stub, req, config, config.warmup());
        settledDeliveries(config);

        ProcessCpu cpu0 = cometCpu(config);
        long delivered0 = settledDeliveries(config);
        long t0 = System.nanoTime();
        long calls = push(stub, req, config, config.duration());
        long pushNanos = System.nanoTime() - t0;
        long delivered1 = settledDeliveries(config);
        ProcessCpu used = cometCpu(config).minus(cpu0);

        long delivered = delivered1 - delivered0;
        double cpu = used.total();
        long expected = calls * config.batch() * members;
        System.out.printf("RESULT calls=%d callsPerSec=%.0f packetsPerCall=%d members=%d expectedDeliveries=%d "
                        + "deliveries=%d deliveriesPerSec=%.0f cometCpuSeconds=%.2f (user %.2f, system %.2f) "
                        + "deliveriesPerCometCpuSecond=%.0f%n",
                calls, calls * 1e9 / pushNanos, config.batch(), members, expected, delivered,
                delivered * 1e9 / pushNanos, cpu, used.user(), used.system(), cpu > 0 ? delivered / cpu : Double.NaN);
    }

    /** Sends calls for {@code length}; returns how many were acknowledged. Waits for every reply. */
    private static long push(CometGrpc.CometStub stub, BroadcastRoomReq req, PushConfig config, Duration length)
            throws InterruptedException {
        Semaphore inFlight = new Semaphore(config.inFlight());
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long end = start + length.toNanos();
        long interval = config.rate() == 0 ? 0 : 1_000_000_000L / config.rate();
        long sent = 0;
        while (System.nanoTime() < end) {
            if (interval > 0) {
                long due = start + sent * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            inFlight.acquire();
            sent++;
            stub.broadcastRoom(req, new StreamObserver<>() {
                @Override
                public void onNext(BroadcastRoomReply value) {
                    ok.incrementAndGet();
                }

                @Override
                public void onError(Throwable t) {
                    if (failed.getAndIncrement() == 0) {
                        System.err.println("push: BroadcastRoom failed: " + t);
                    }
                    inFlight.release();
                }

                @Override
                public void onCompleted() {
                    inFlight.release();
                }
            });
        }
        inFlight.acquire(config.inFlight());
        if (failed.get() > 0) {
            System.err.println("push: " + failed.get() + " BroadcastRoom calls failed");
        }
        return ok.get();
    }

    /** The clients' total deliveries once it has not changed for {@code settle}; 0 without a stats dir. */
    private static long settledDeliveries(PushConfig config) throws IOException, InterruptedException {
        if (config.statsDir() == null) {
            return 0;
        }
        long last = StatsDir.sum(config.statsDir(), "pushes");
        long stillSince = System.nanoTime();
        while (System.nanoTime() - stillSince < config.settle().toNanos()) {
            Thread.sleep(250);
            long now = StatsDir.sum(config.statsDir(), "pushes");
            if (now != last) {
                last = now;
                stillSince = System.nanoTime();
            }
        }
        return last;
    }

    /** Zero when no comet pid is configured (deliveries per CPU-second are then NaN). */
    private static ProcessCpu cometCpu(PushConfig config) throws IOException {
        return config.cometPid() == 0 ? new ProcessCpu(0, 0) : ProcessCpu.of(config.cometPid());
    }
}
