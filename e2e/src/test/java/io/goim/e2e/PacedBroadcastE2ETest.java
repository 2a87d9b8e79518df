package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.protocol.Op;
import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.TcpTestClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * goim v2's broadcast speed: {@code /goim/push/all?speed=20} on two comets gives each 10
 * connections per second, so 30 connections per comet take about 3 s (29 steps of 100 ms
 * after the first), where an unpaced broadcast takes milliseconds; and every connection
 * gets the message once. The bounds are an order of magnitude apart from the unpaced time
 * and from a speed not divided among the comets (1.5 s), not a precise timing. A paced
 * broadcast refused while comet.push.max-paced-broadcasts run is retried by job, not lost.
 */
@ClusterTest
class PacedBroadcastE2ETest {
    private static final int PER_COMET = 30;

    @Test
    void aBroadcastWithASpeedIsPacedAndReachesEveryone(LocalCluster.Builder newCluster) throws Exception {
        List<TcpTestClient> clients = new ArrayList<>();
        ExecutorService readers = Executors.newFixedThreadPool(2 * PER_COMET);
        try (LocalCluster cluster = newCluster.comets(2)
                .comet("comet.push.max-paced-broadcasts", 1)
                .start()) {
            for (int i = 0; i < 2 * PER_COMET; i++) {
                TcpTestClient c = new TcpTestClient("127.0.0.1", cluster.comets.get(i % 2).tcpPort());
                clients.add(c);
                c.send(Op.AUTH, 1, Integer.toString(9300 + i));
                assertEquals(Op.AUTH_REPLY, c.receive().op());
                c.setReadTimeout(30_000);
            }
            // Warm the path up (Kafka, job's comet calls) with an unpaced broadcast, timed for comparison.
            long u0 = System.nanoTime();
            assertEquals(200, cluster.post("/goim/push/all?operation=1000", "unpaced").statusCode());
            long unpacedMillis = TimeUnit.NANOSECONDS.toMillis(lastArrival(clients, readers, "unpaced") - u0);

            long t0 = System.nanoTime();
            var res = cluster.post("/goim/push/all?operation=1000&speed=20", "paced");
            assertEquals(200, res.statusCode(), res.body());
            long answeredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            long pacedMillis = TimeUnit.NANOSECONDS.toMillis(lastArrival(clients, readers, "paced") - t0);
            System.out.printf("broadcast to %d connections on 2 comets: unpaced %d ms; speed=20: answered in %d ms,"
                    + " last delivered after %d ms%n", clients.size(), unpacedMillis, answeredMillis, pacedMillis);
            assertTrue(pacedMillis >= 2_000, "paced at 10/s per comet, 30 each: about 3 s, took " + pacedMillis + " ms");
            assertTrue(pacedMillis < 20_000, "but not stuck: " + pacedMillis + " ms");
            assertTrue(answeredMillis < pacedMillis, "the HTTP call does not wait for the pacing");

            // Nothing more arrived: each got the paced message exactly once.
            assertEquals(200, cluster.post("/goim/push/all?operation=1000", "end").statusCode());
            lastArrival(clients, readers, "end");

            // One paced broadcast at a time per comet here: a fast one sent right after a slow
            // one is refused while the slow one runs, and job retries it until it is taken, so
            // it reaches every client, after the slow one (it would overtake it otherwise).
            assertEquals(200, cluster.post("/goim/push/all?operation=1000&speed=20", "slow").statusCode());
            assertEquals(200, cluster.post("/goim/push/all?operation=1000&speed=2000", "fast").statusCode());
            lastArrival(clients, readers, "slow");
            lastArrival(clients, readers, "fast");
            double refused = 0;
            for (var comet : cluster.comets) {
                refused += AdminScrape.metrics(comet.adminPort()).value("goim_comet_paced_broadcasts_total",
                        "outcome", "refused");
            }
            assertTrue(refused >= 1, "the fast one was refused while the slow one ran: " + refused);
        } finally {
            readers.shutdownNow();
            for (TcpTestClient c : clients) {
                c.close();
            }
        }
    }

    /** Reads one push on every client, which must be {@code body}; returns when the last arrived (nanoTime). */
    private static long lastArrival(List<TcpTestClient> clients, ExecutorService readers, String body) throws Exception {
        List<Future<Long>> arrivals = new ArrayList<>();
        for (TcpTestClient c : clients) {
            arrivals.add(readers.submit(() -> {
                TcpTestClient.Received r = c.receive();
                assertEquals(1000, r.op());
                assertEquals(body, r.bodyText());
                return System.nanoTime();
            }));
        }
        long last = 0;
        for (Future<Long> a : arrivals) {
            last = Math.max(last, a.get(60, TimeUnit.SECONDS));
        }
        return last;
    }
}
