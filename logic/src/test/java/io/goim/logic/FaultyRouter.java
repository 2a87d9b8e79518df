package io.goim.logic;

import io.goim.libs.testing.GrpcRelay;
import io.goim.proto.DelReq;
import io.goim.proto.RouterGrpc;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real router behind a loopback gRPC relay that fails chosen calls the way a router
 * (or the machine under it) too loaded for logic's deadline does: the first
 * {@link #dropUndos} undos (a Del naming a login) are never answered, so logic's deadline
 * passes, and the first {@link #losePutAnswers} Puts are applied by the router but
 * answered UNAVAILABLE (the answer lost: logic cannot tell whether the session was stored).
 */
final class FaultyRouter implements AutoCloseable {
    /** Undos still to leave unanswered. */
    final AtomicInteger dropUndos = new AtomicInteger();
    /** Puts still to apply and answer UNAVAILABLE. */
    final AtomicInteger losePutAnswers = new AtomicInteger();
    /** Undos that reached this proxy (answered or not). */
    final AtomicInteger undosSeen = new AtomicInteger();
    private final GrpcRelay relay;

    FaultyRouter(int routerPort) throws IOException {
        relay = new GrpcRelay(routerPort, this::fault);
    }

    /** "127.0.0.1:port" of the proxy. */
    String address() {
        return "127.0.0.1:" + relay.port();
    }

    private GrpcRelay.Fault fault(String method, byte[] req) {
        if (method.equals(RouterGrpc.getDelMethod().getFullMethodName()) && isUndo(req)) {
            undosSeen.incrementAndGet();
            if (take(dropUndos)) {
                return GrpcRelay.Fault.DROPPED;
            }
        }
        if (method.equals(RouterGrpc.getPutMethod().getFullMethodName()) && take(losePutAnswers)) {
            return GrpcRelay.Fault.ANSWER_UNAVAILABLE;
        }
        return GrpcRelay.Fault.NONE;
    }

    private static boolean take(AtomicInteger budget) {
        return budget.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
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
        relay.close();
    }
}
