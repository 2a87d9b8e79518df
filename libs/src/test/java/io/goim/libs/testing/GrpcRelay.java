package io.goim.libs.testing;

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
 * A loopback gRPC relay in front of a real service: every unary call passes through as
 * bytes, except the calls {@link Faults} picks, which fail the way a network or a machine
 * too loaded to answer in time fails them. Any service, any method: the relay knows no
 * proto.
 */
public final class GrpcRelay implements AutoCloseable {
    /** What becomes of one call. */
    public enum Fault {
        /** Passed through, answered as the service answers. */
        NONE,
        /** Never reaches the service and is never answered: the caller's deadline passes. */
        DROPPED,
        /** The service does the work and answers, but the answer never reaches the caller. */
        ANSWER_LOST,
        /** The service does the work; the caller is answered UNAVAILABLE and cannot tell. */
        ANSWER_UNAVAILABLE
    }

    /** Picks the fault of a call from its full method name and its request's bytes. */
    @FunctionalInterface
    public interface Faults {
        Fault of(String fullMethodName, byte[] request);
    }

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

    private final Faults faults;
    private final ManagedChannel service;
    private final Server server;
    private final AtomicInteger answersLost = new AtomicInteger();

    /** In front of the service on loopback port {@code servicePort}. */
    public GrpcRelay(int servicePort, Faults faults) throws IOException {
        this.faults = faults;
        service = GrpcChannels.plaintext(new HostPort("127.0.0.1", servicePort));
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

    /** The relay's loopback port. */
    public int port() {
        return server.getPort();
    }

    /** Answers the service gave that were lost ({@link Fault#ANSWER_LOST}), counted once the service answered. */
    public int answersLost() {
        return answersLost.get();
    }

    private void forward(MethodDescriptor<byte[], byte[]> m, byte[] req, StreamObserver<byte[]> out) {
        Fault fault = faults.of(m.getFullMethodName(), req);
        if (fault == Fault.DROPPED) {
            return;
        }
        Futures.of(ClientCalls.futureUnaryCall(service.newCall(m, CallOptions.DEFAULT), req)).whenComplete((reply, e) -> {
            if (fault == Fault.ANSWER_LOST) {
                answersLost.incrementAndGet();
            } else if (e != null) {
                out.onError(Status.fromThrowable(e).asRuntimeException());
            } else if (fault == Fault.ANSWER_UNAVAILABLE) {
                out.onError(Status.UNAVAILABLE.withDescription("the answer was lost on the way").asRuntimeException());
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
