package io.goim.job;

import io.goim.proto.CometInstance;
import io.goim.proto.CometsReply;
import io.goim.proto.Empty;
import io.goim.proto.LogicGrpc;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real logic gRPC server on a loopback port that answers only {@code Logic.Comets}, with
 * the comets the test announces: job's window on comet discovery, without a session store.
 * Thread-safe.
 */
final class AnnouncingLogic implements AutoCloseable {
    private volatile List<CometInstance> announced = List.of();
    private final Server server;

    AnnouncingLogic() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new LogicGrpc.LogicImplBase() {
                    @Override
                    public void comets(Empty req, StreamObserver<CometsReply> out) {
                        out.onNext(CometsReply.newBuilder().addAllComets(announced).build());
                        out.onCompleted();
                    }
                })
                .build()
                .start();
    }

    String address() {
        return "127.0.0.1:" + server.getPort();
    }

    /** From now on the comets announced are exactly {@code server id → push gRPC port}, in pairs. */
    void announce(int... idsAndPorts) {
        CometInstance[] comets = new CometInstance[idsAndPorts.length / 2];
        for (int i = 0; i < comets.length; i++) {
            comets[i] = CometInstance.newBuilder().setServer(idsAndPorts[2 * i])
                    .setGrpc("127.0.0.1:" + idsAndPorts[2 * i + 1]).setTtlMs(10_000).build();
        }
        announced = List.of(comets);
    }

    @Override
    public void close() throws Exception {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
    }
}
