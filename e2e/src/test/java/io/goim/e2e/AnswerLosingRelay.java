package io.goim.e2e;

import io.goim.libs.testing.GrpcRelay;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback gRPC relay in front of a real service that passes every unary call through,
 * except that the answers of the first {@link #lose} calls of one method are lost: the
 * service did the work and answered in time, but the answer never reaches the caller,
 * whose deadline passes (a network or a machine too loaded to carry it on in time).
 */
final class AnswerLosingRelay implements AutoCloseable {
    /** Answers of {@code method} still to lose. */
    final AtomicInteger lose = new AtomicInteger();
    private final GrpcRelay relay;

    /** In front of the service on loopback port {@code port}; loses answers of {@code method} (its full name). */
    AnswerLosingRelay(int port, String method) throws IOException {
        relay = new GrpcRelay(port, (name, req) -> name.equals(method) && lose.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0
                ? GrpcRelay.Fault.ANSWER_LOST : GrpcRelay.Fault.NONE);
    }

    int port() {
        return relay.port();
    }

    /** Answers lost so far, counted once the service answered. */
    int lost() {
        return relay.answersLost();
    }

    @Override
    public void close() throws InterruptedException {
        relay.close();
    }
}
