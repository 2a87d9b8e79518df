package io.goim.e2e;

import io.goim.libs.config.HostPort;
import io.goim.libs.grpc.Futures;
import io.goim.libs.grpc.GrpcChannels;
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
 * A loopback gRPC relay in front of a real service that passes every unary call through as
 * bytes, except that the answers of the first {@link #lose} calls of one method are lost:
 * the service did the work and answered in time, but the answer never reaches the caller,
 * whose deadline passes (a network or a machine too loaded to carry it on in time).
 */
final class AnswerLosingRelay implements AutoCloseable {
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

    /** Answers of {@code method} still to lose. */
    final AtomicInteger lose = new AtomicInteger();
    /** Answers lost so far. */
    final AtomicInteger lost = new AtomicInteger();
    private final String method;
    private final ManagedChannel service;
    private final Server server;

    /** In front of the service on loopback port {@code port}; loses answers of {@code method} (its full name). */
    AnswerLosingRelay(int port, String method) throws IOException {
        this.method = method;
        service = GrpcChannels.plaintext(new HostPort("127.0.0.1", port));
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .fallbackHandlerRegistry(new HandlerRegistry() {
                    @Override
                    public ServerMethodDefinition<?, ?> lookupMethod(String name, String authority) {
                        MethodDescriptor<byte[], byte[]> m = MethodDescriptor.<byte[], byte[]>newBuilder()
                                .setType(MethodDescriptor.MethodType.UNARY)
                                .setFullMethodName(name)
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

    int port() {
        return server.getPort();
    }

    private void forward(MethodDescriptor<byte[], byte[]> m, byte[] req, StreamObserver<byte[]> out) {
        boolean loseIt = m.getFullMethodName().equals(method) && lose.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
        Futures.of(ClientCalls.futureUnaryCall(service.newCall(m, CallOptions.DEFAULT), req)).whenComplete((reply, e) -> {
            if (loseIt) {
                lost.incrementAndGet();
                return; // never answered: the caller's deadline passes
            }
            if (e != null) {
                out.onError(Status.fromThrowable(e).asRuntimeException());
            } else {
                out.onNext(reply);
                out.onCompleted();
            }
        });
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        GrpcChannels.close(service, Duration.ofSeconds(2));
    }
}
