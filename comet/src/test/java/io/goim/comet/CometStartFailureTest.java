package io.goim.comet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.GrpcPeer;
import io.goim.libs.testing.StartFailures;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A comet whose start fails at any step leaves nothing behind: no thread (event loops,
 * renewer, room counts, announcer, Kafka clients), no bound port (the four client
 * listeners, push gRPC, admin), no channel open to logic.
 */
class CometStartFailureTest {
    @TempDir
    Path dir;

    @Test
    void aStartFailingAtAnyStepLeavesNothingBehind() throws Exception {
        SelfSignedCert cert = new SelfSignedCert(dir);
        try (GrpcPeer logic = new GrpcPeer()) {
            Set<Thread> before = StartFailures.threadsNow();
            // tcp, websocket, tls tcp, wss, grpc, admin, and one nobody listens on for Kafka.
            int[] ports = StartFailures.freePorts(7);
            Map<String, Object> c = new HashMap<>();
            c.put("comet.logic", logic.address());
            List<String> listeners = List.of("tcp", "websocket", "tls.tcp", "tls.websocket", "grpc", "admin");
            for (int i = 0; i < listeners.size(); i++) {
                c.put("comet." + listeners.get(i) + ".host", "127.0.0.1");
                c.put("comet." + listeners.get(i) + ".port", ports[i]);
            }
            c.put("comet.tls.cert-file", cert.certFile.getPath());
            c.put("comet.tls.key-file", cert.keyFile.getPath());
            c.put("comet.event-loop-threads", 2);
            c.put("comet.upstream.mode", "kafka");
            c.put("comet.upstream.kafka.bootstrap-servers", "127.0.0.1:" + ports[6]);
            c.put("comet.drain.window", "100ms");
            Config config = ConfigLoader.withDefaults(ConfigFactory.parseMap(c));
            List<String> steps = StartFailures.failEachStep("comet", l -> CometServer.start(config, l),
                    step -> {
                        if (step.equals("admin server")) {
                            // The epoch watch and the announcer called logic: the channel is open.
                            try {
                                Await.until("a channel open to logic", Duration.ofSeconds(20), () -> logic.open() > 0);
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        }
                    },
                    after -> {
                        StartFailures.awaitThreadsGone(after, before, "comet-", "goim-comet", "admin");
                        StartFailures.awaitBindable(after, java.util.Arrays.copyOf(ports, 6));
                        Await.until("the channel to logic closed after " + after, Duration.ofSeconds(20),
                                () -> logic.open() == 0);
                    });
            assertEquals(List.of("logic client", "upstream kafka producer", "disconnect retries", "paced broadcasts",
                    "accept loop", "client connections", "client accept", "push grpc server", "grpc health NOT_SERVING",
                    "withdraw announcement", "announce draining", "drain clients", "session renewer",
                    "room online counts", "router epoch watch", "admin server"), steps);
        }
    }
}
