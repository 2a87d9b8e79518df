package io.goim.logic;

import io.goim.libs.config.HostPort;
import io.goim.libs.grpc.Futures;
import io.goim.libs.grpc.GrpcChannels;
import io.goim.proto.DelReq;
import io.goim.proto.RouterGrpc;
import io.grpc.CallOptions;
import io.grpc.HandlerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real router behind a loopback gRPC proxy that fails chosen calls the way a router
 * (or the machine under it) too loaded for logic's deadline does: every unary call is
 * passed through as bytes, except that the first {@link #dropUndos} undos (a Del naming a
 * login) are never answered, so logic's deadline passes, and the first
 * {@link #losePutAnswers} Puts are applied by the router but answered UNAVAILABLE (the
 * answer lost: logic cannot tell whether the session was stored).
 */
final class FaultyRouter implements AutoCloseable {
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream in) {
            try {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    /** Undos still to leave unanswered. */
    final AtomicInteger dropUndos = new AtomicInteger();
    /** Puts still to apply and answer UNAVAILABLE. */
    final AtomicInteger losePutAnswers = new AtomicInteger();
    /** Undos that reached this proxy (answered or not). */
    final AtomicInteger undosSeen = new AtomicInteger();
    private final ManagedChannel router;
    private final Server server;

    FaultyRouter(int routerPort) throws IOException {
        router = GrpcChannels.plaintext(new HostPort("127.0.0.1", routerPort));
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .fallbackHandlerRegistry(new HandlerRegistry() {
                    @Override
                    public ServerMethodDefinition<?, ?> lookupMethod(String method, String authority) {
                        MethodDescriptor<byte[], byte[]> m = MethodDescriptor.<byte[], byte[]>newBuilder()
                                .setType(MethodDescriptor.MethodType.UNARY)
                                .setFullMethodName(method)
                                .setRequestMarshaller(BYTES)
                                .setResponseMarshaller(BYTES)
                                .build();
                        return ServerMethodDefinition.create(m, ServerCalls.asyncUnaryCall(
                                (byte[] req, StreamObserver<byte[]> out) -> forward(m, req, out)));
                    }
                })
                .build()
                .start();
    }

    /** "127.0.0.1:port" of the proxy. */
    String address() {
        return "127.0.0.1:" + server.getPort();
    }

    private static boolean take(AtomicInteger budget) {
        return budget.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    private void forward(MethodDescriptor<byte[], byte[]> m, byte[] req, StreamObserver<byte[]> out) {
        String name = m.getFullMethodName();
        if (name.equals(RouterGrpc.getDelMethod().getFullMethodName()) && isUndo(req)) {
            undosSeen.incrementAndGet();
            if (take(dropUndos)) {
                return; // never answered: the caller's deadline passes
            }
        }
        boolean losePut = name.equals(RouterGrpc.getPutMethod().getFullMethodName()) && take(losePutAnswers);
        Futures.of(ClientCalls.futureUnaryCall(router.newCall(m, CallOptions.DEFAULT), req)).whenComplete((reply, e) -> {
            if (e != null) {
                out.onError(Status.fromThrowable(e).asRuntimeException());
            } else if (losePut) {
                out.onError(Status.UNAVAILABLE.withDescription("the answer was lost on the way").asRuntimeException());
            } else {
                out.onNext(reply);
                out.onCompleted();
            }
        });
    }

    private static boolean isUndo(byte[] req) {
        try {
            DelReq d = DelReq.parseFrom(req);
            return d.getSeq() == 0 && d.getLoginId() != 0;
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        GrpcChannels.close(router, Duration.ofSeconds(2));
    }
}
