package io.goim.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.testing.StartFailures;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A router whose start fails at any step leaves no thread and no bound port behind. */
class RouterStartFailureTest {
    @Test
    void aStartFailingAtAnyStepLeavesNothingBehind() throws Exception {
        Set<Thread> before = StartFailures.threadsNow();
        int[] ports = StartFailures.freePorts(2);
        var config = ConfigLoader.withDefaults(ConfigFactory.parseMap(Map.of(
                "router.grpc.port", ports[0], "router.admin.port", ports[1])));
        List<String> steps = StartFailures.failEachStep("router", l -> RouterServer.start(config, l), step -> { },
                after -> {
                    StartFailures.awaitThreadsGone(after, before, "router-", "admin");
                    StartFailures.awaitBindable(after, ports);
                });
        // The shutdown order: servers, the rest, the admin server last.
        assertEquals(List.of("cleaner", "grpc server", "grpc health NOT_SERVING", "admin server"), steps);
    }
}
