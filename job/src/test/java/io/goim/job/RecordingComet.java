package io.goim.job;

import io.goim.protocol.RoomKeys;
import io.goim.protocol.Op;
import io.goim.proto.BroadcastReply;
import io.goim.proto.BroadcastReq;
import io.goim.proto.BroadcastRoomReply;
import io.goim.proto.BroadcastRoomReq;
import io.goim.proto.CometGrpc;
import io.goim.proto.Empty;
import io.goim.proto.MPushMsgReply;
import io.goim.proto.MPushMsgReq;
import io.goim.proto.MPushMsgsReply;
import io.goim.proto.MPushMsgsReq;
import io.goim.proto.PushMsgReq;
import io.goim.proto.Proto;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real comet push server on a loopback port that records what job sends it: user
 * pushes, broadcasts and room batches (unpacked into their messages). It can hold back
 * its replies to play a slow comet, or refuse calls as a busy one. Thread-safe.
 */
public final class RecordingComet implements AutoCloseable {
    /** One message as a client would see it, with the RPC that carried it. */
    /** {@code room}: the room key of a room batch; "" for the other calls. */
    record Received(String rpc, String room, List<String> keys, String body, long atNanos) {
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    /** The operation of every message received as a client would see it (a batch's packets one by one). */
    final List<Integer> ops = new CopyOnWriteArrayList<>();
    /** Sizes of the OP_RAW batches received, in order. */
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    /** Entries (keys) of each user-push call, in order: MPushMsg counts as 1 call of its keys, MPushMsgs of its entries. */
    final List<Integer> userCallEntries = new CopyOnWriteArrayList<>();
    /** Health checks received: job polls every comet every job.comet-poll. */
    final AtomicInteger pings = new AtomicInteger();
    private final AtomicInteger busyLeft = new AtomicInteger();
    /** Push calls answered RESOURCE_EXHAUSTED (nothing recorded), as a comet that is behind answers. */
    final AtomicInteger busyAnswers = new AtomicInteger();
    private final List<Runnable> heldReplies = new ArrayList<>();
    private boolean holding;
    private final Server server;

    /** The idempotency id ({@code goim-call-id}) of every push call attempt, in arrival order; 0 for none. */
    final List<Long> callIds = new CopyOnWriteArrayList<>();

    private RecordingComet(int port) throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(io.grpc.ServerInterceptors.intercept(new Service(), new io.grpc.ServerInterceptor() {
                    @Override
                    public <Q, A> io.grpc.ServerCall.Listener<Q> interceptCall(io.grpc.ServerCall<Q, A> call,
                            io.grpc.Metadata headers, io.grpc.ServerCallHandler<Q, A> next) {
                        if (!call.getMethodDescriptor().getBareMethodName().matches("Ping|Rooms")) {
                            callIds.add(io.goim.libs.grpc.CallIds.of(headers));
                        }
                        return next.startCall(call, headers);
                    }
                }))
                .addService(new Health()) // not intercepted: health checks carry no call id
                .build()
                .start();
    }

    static RecordingComet start() throws Exception {
        return new RecordingComet(0);
    }

    /** A comet on a given port, e.g. one that comes back where a dead one was. */
    static RecordingComet startOn(int port) throws Exception {
        return new RecordingComet(port);
    }

    int port() {
        return server.getPort();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    /** From now on, replies are held until {@link #release}. */
    synchronized void hold() {
        holding = true;
    }

    /** The next {@code calls} push calls are refused with RESOURCE_EXHAUSTED, as a comet that is behind. */
    void busyFor(int calls) {
        busyLeft.set(calls);
    }

    /** Refuses the call if the comet plays busy; true when it did. */
    private boolean refusedBusy(StreamObserver<?> out) {
        if (busyLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            busyAnswers.incrementAndGet();
            out.onError(io.grpc.Status.RESOURCE_EXHAUSTED.withDescription("behind").asRuntimeException());
            return true;
        }
        return false;
    }

    /** Replies held back so far. */
    synchronized int held() {
        return heldReplies.size();
    }

    /** Sends every held reply and stops holding. */
    void release() {
        List<Runnable> replies;
        synchronized (this) {
            holding = false;
            replies = new ArrayList<>(heldReplies);
            heldReplies.clear();
        }
        replies.forEach(Runnable::run);
    }

    List<String> bodies() {
        List<String> out = new ArrayList<>();
        for (Received r : received) {
            out.add(r.body());
        }
        return out;
    }

    List<String> bodies(String rpc, int room) {
        return bodies(rpc, RoomKeys.ofV1(room));
    }

    /** The bodies {@code rpc} received, for room {@code room} (a room key; "" for calls without a room). */
    List<String> bodies(String rpc, String room) {
        List<String> out = new ArrayList<>();
        for (Received r : received) {
            if (r.rpc().equals(rpc) && r.room().equals(room)) {
                out.add(r.body());
            }
        }
        return out;
    }

    private <T> void reply(StreamObserver<T> out, T value) {
        Runnable r = () -> {
            try {
                out.onNext(value);
                out.onCompleted();
            } catch (RuntimeException cancelled) {
                // the caller gave up on this call (deadline) while we held it
            }
        };
        synchronized (this) {
            if (holding) {
                heldReplies.add(r);
                return;
            }
        }
        r.run();
    }

    /** Splits an OP_RAW body into its packets' bodies. */
    public static List<String> unpack(Proto raw) {
        ByteBuffer b = raw.getBody().asReadOnlyByteBuffer();
        List<String> out = new ArrayList<>();
        while (b.hasRemaining()) {
            int length = b.getInt();
            b.position(b.position() + 12);
            byte[] body = new byte[length - 16];
            b.get(body);
            out.add(new String(body, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The operations of an OP_RAW body's packets. */
    static List<Integer> innerOps(Proto raw) {
        ByteBuffer b = raw.getBody().asReadOnlyByteBuffer();
        List<Integer> out = new ArrayList<>();
        while (b.hasRemaining()) {
            int start = b.position();
            int length = b.getInt();
            out.add(b.getInt(start + 8));
            b.position(start + length);
        }
        return out;
    }

    /** Job polls every comet's health service every job.comet-poll; counted in {@link #pings}. */
    private final class Health extends HealthGrpc.HealthImplBase {
        @Override
        public void check(HealthCheckRequest req, StreamObserver<HealthCheckResponse> out) {
            pings.incrementAndGet();
            out.onNext(HealthCheckResponse.newBuilder().setStatus(HealthCheckResponse.ServingStatus.SERVING).build());
            out.onCompleted();
        }
    }

    private final class Service extends CometGrpc.CometImplBase {
        /** Answers at once, even while holding: job's readiness check. */
        @Override
        public void ping(Empty req, StreamObserver<Empty> out) {
            pings.incrementAndGet();
            out.onNext(Empty.getDefaultInstance());
            out.onCompleted();
        }

        @Override
        public void mPushMsg(MPushMsgReq req, StreamObserver<MPushMsgReply> out) {
            if (refusedBusy(out)) {
                return;
            }
            userCallEntries.add(req.getKeysCount());
            ops.add(req.getProto().getOp());
            received.add(new Received("mpush", "", List.copyOf(req.getKeysList()),
                    req.getProto().getBody().toStringUtf8(), System.nanoTime()));
            reply(out, MPushMsgReply.newBuilder().setDelivered(req.getKeysCount()).build());
        }

        /** Records each push of the call as MPushMsg would: consecutive entries with the same packet are one push to several keys. */
        @Override
        public void mPushMsgs(MPushMsgsReq req, StreamObserver<MPushMsgsReply> out) {
            if (refusedBusy(out)) {
                return;
            }
            userCallEntries.add(req.getPushesCount());
            long now = System.nanoTime();
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < req.getPushesCount(); i++) {
                PushMsgReq p = req.getPushes(i);
                keys.add(p.getKey());
                if (i + 1 == req.getPushesCount() || !req.getPushes(i + 1).getProto().equals(p.getProto())) {
                    ops.add(p.getProto().getOp());
                    received.add(new Received("mpush", "", List.copyOf(keys), p.getProto().getBody().toStringUtf8(), now));
                    keys.clear();
                }
            }
            reply(out, MPushMsgsReply.newBuilder().setIndex(req.getPushesCount() - 1)
                    .setDelivered(req.getPushesCount()).build());
        }

        @Override
        public void broadcast(BroadcastReq req, StreamObserver<BroadcastReply> out) {
            if (refusedBusy(out)) {
                return;
            }
            ops.add(req.getProto().getOp());
            received.add(new Received("broadcast", "", List.of(), req.getProto().getBody().toStringUtf8(), System.nanoTime()));
            reply(out, BroadcastReply.getDefaultInstance());
        }

        @Override
        public void broadcastRoom(BroadcastRoomReq req, StreamObserver<BroadcastRoomReply> out) {
            if (refusedBusy(out)) {
                return;
            }
            long now = System.nanoTime();
            if (req.getProto().getOp() == Op.RAW) {
                List<String> messages = unpack(req.getProto());
                ops.addAll(innerOps(req.getProto()));
                batchSizes.add(messages.size());
                for (String m : messages) {
                    received.add(new Received("room", req.getRoomKey(), List.of(), m, now));
                }
            } else {
                ops.add(req.getProto().getOp());
                received.add(new Received("room", req.getRoomKey(), List.of(), req.getProto().getBody().toStringUtf8(), now));
            }
            reply(out, BroadcastRoomReply.getDefaultInstance());
        }
    }

    @Override
    public void close() throws Exception {
        release();
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
