package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.libs.testing.TcpTestClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A backend pushing to one user while the session store heals (a router or Redis restarted
 * empty): a push every 100 ms until one is accepted. Every answer must be a refusal (503)
 * or a {@code ret: 1} whose message reaches the client — never {@code ret: 1} for nobody.
 */
final class HealProbe {
    /** What the probe saw: how long until a push was accepted and delivered, and the 503s before. */
    record Healed(Duration after, int refused) {
    }

    private HealProbe() {
    }

    /**
     * Pushes to {@code uid} from now until a push is accepted; then checks that {@code sessionBack}
     * holds (the store knows the user again) and that the client got it. Fails when still refused
     * after twice {@code within}.
     */
    static Healed pushUntilAccepted(LocalCluster cluster, long uid, TcpTestClient client, Duration within,
            BooleanSupplier sessionBack) throws Exception {
        long start = System.nanoTime();
        int refused = 0;
        int n = 0;
        while (true) {
            String body = "after-" + (++n);
            HttpResponse<String> res = cluster.post("/1/push?uid=" + uid, body);
            if (res.statusCode() == 200) {
                // accepted: the session was relearned, and the message must arrive, never be lost
                assertEquals("{\"ret\":1}", res.body());
                assertTrue(sessionBack.getAsBoolean(), "ret 1 before the store knew the user again: a push for nobody");
                assertEquals(body, client.receive().bodyText());
                return new Healed(Duration.ofNanos(System.nanoTime() - start), refused);
            }
            // 503 while logic reconnects or the heal window is open
            assertEquals(503, res.statusCode(), res.body());
            refused++;
            assertTrue(System.nanoTime() - start < within.toNanos() * 2,
                    "still refused after " + within.multipliedBy(2) + ": " + res.body());
            Thread.sleep(100); // a backend's retry pace, not a wait for a condition
        }
    }
}
