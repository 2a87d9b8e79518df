package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.goim.libs.testing.Await;
import io.goim.libs.testing.GrpcPeer;
import io.goim.libs.testing.StartFailures;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A start-up that fails part way closes what it had built: no thread, producer or channel is left behind. */
class LogicStartupTest {

    private static List<String> logicThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith("logic-") || n.contains("goim-logic"))
                .sorted()
                .toList();
    }

    @Test
    void aBusyHttpPortFailsTheStartAndLeavesNoThreadRunning() throws Exception {
        Await.until("no logic threads from earlier tests", Duration.ofSeconds(10), () -> logicThreads().isEmpty());
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Exception e = assertThrows(Exception.class, () -> LogicServer.start(LogicHarness.config(Map.of(
                    "logic.grpc.port", 0,
                    "logic.http.host", "127.0.0.1",
                    "logic.http.port", busy.getLocalPort(),
                    "logic.kafka.bootstrap-servers", "127.0.0.1:1"))));
            assertTrue(String.valueOf(rootCause(e).getMessage()).contains("Address already in use"), e.toString());
        }
        Await.until("every thread logic started is gone, still: " + logicThreads(), Duration.ofSeconds(10),
                () -> logicThreads().isEmpty());
    }

    @Test
    void aStartFailingAtAnyStepLeavesNothingBehind() throws Exception {
        try (GrpcPeer router = new GrpcPeer()) {
            Set<Thread> before = StartFailures.threadsNow();
            // grpc, http, admin, and one nobody listens on for Kafka.
            int[] ports = StartFailures.freePorts(4);
            var config = LogicHarness.config(Map.of(
                    "logic.grpc.port", ports[0],
                    "logic.http.host", "127.0.0.1",
                    "logic.http.port", ports[1],
                    "logic.admin.port", ports[2],
                    "logic.routers", Map.of("1", router.address()),
                    "logic.kafka.bootstrap-servers", "127.0.0.1:" + ports[3]));
            List<String> steps = StartFailures.failEachStep("logic", l -> LogicServer.start(config, l),
                    step -> {
                        if (step.equals("kafka readiness client") || step.equals("admin server")) {
                            // The router epoch watch has called the router: the channel is open.
                            try {
                                Await.until("a channel open to the router", Duration.ofSeconds(20),
                                        () -> router.open() > 0);
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    },
                    after -> {
                        StartFailures.awaitThreadsGone(after, before, "logic-", "goim-logic", "admin");
                        StartFailures.awaitBindable(after, ports[0], ports[1], ports[2]);
                        Await.until("the channel to the router closed after " + after, Duration.ofSeconds(20),
                                () -> router.open() == 0);
                    });
            assertEquals(List.of("router clients", "kafka producer", "kafka send executor", "count timer",
                    "grpc server", "http connections", "http accept", "grpc health NOT_SERVING",
                    "kafka readiness client", "admin server"), steps);
        }
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
