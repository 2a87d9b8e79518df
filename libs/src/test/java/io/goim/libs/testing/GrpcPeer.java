package io.goim.libs.testing;

import io.grpc.Attributes;
import io.grpc.Server;
import io.grpc.ServerTransportFilter;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback gRPC server with no service (every call ends UNIMPLEMENTED) that counts the
 * connections open to it: a service's channels to it are closed when the count is back to 0.
 */
public final class GrpcPeer implements AutoCloseable {
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger seen = new AtomicInteger();
    private final Server server;

    public GrpcPeer() throws IOException {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addTransportFilter(new ServerTransportFilter() {
                    @Override
                    public Attributes transportReady(Attributes attributes) {
                        open.incrementAndGet();
                        seen.incrementAndGet();
                        return attributes;
                    }

                    @Override
                    public void transportTerminated(Attributes attributes) {
                        open.decrementAndGet();
                    }
                })
                .build()
                .start();
    }

    /** "127.0.0.1:port". */
    public String address() {
        return "127.0.0.1:" + server.getPort();
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    /** Connections opened since start. */
    public int seen() {
        return seen.get();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
