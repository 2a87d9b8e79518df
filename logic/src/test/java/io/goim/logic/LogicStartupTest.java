package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.goim.libs.testing.Await;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
