package io.goim.bench.realpath;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The router-restart scenario (issue 10): N clients logged in and idle, the router killed
 * with {@code kill -9}, left down for {@code down}, restarted empty; measured is how long
 * after the restarted router is ready its session count is back to N (the comets
 * re-announce their connections when they see its new incarnation). Meanwhile pushes to
 * user 1 go on at {@code rate}: each must be refused (logic answers 503 while the router is
 * away or healing) or delivered — never answered {@code ret: 1} and lost.
 */
final class RouterHeal {
    /**
     * @param healMillis restarted router ready → its session count back to the clients'
     * @param pushes     what the pushes during kill, down time and heal got
     * @param delivered  deliveries of those pushes (user 1 has one connection)
     */
    record Result(long clients, long sessionsBefore, double downSeconds, double readyMillis, double healMillis,
            long sessionsAfter, long sent, long accepted, long refused, long failed, long delivered, String firstRefusal) {
    }

    private static final String SESSIONS = "goim_router_sessions";

    private RouterHeal() {
    }

    static Result run(Cluster cluster, Clients clients, Window window, HttpPusher http, int clientCount, int rate,
            Duration down, Duration timeout) throws IOException, InterruptedException {
        long before = awaitSessions(cluster, clientCount, timeout);
        URI uri = URI.create("http://127.0.0.1:" + cluster.ports().logicHttp() + "/1/push?uid=1");
        long deliveredBefore = clients.sum("pushes");
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Pushed> pushing = CompletableFuture.supplyAsync(() -> pushUntil(http, uri, rate, stop));

        long killedAt = System.nanoTime();
        cluster.kill("router");
        Thread.sleep(down.toMillis()); // the outage itself: the scenario's input, not a wait for a condition
        long restartAt = System.nanoTime();
        cluster.restart("router");
        cluster.awaitUp("router");
        long readyAt = System.nanoTime();
        long after = awaitSessions(cluster, clientCount, timeout);
        long healedAt = System.nanoTime();
        Thread.sleep(2000); // two more seconds of pushes once healed, then the drain
        stop.set(true);
        Pushed p = pushing.join();
        window.settle(clients.statsDir(), System.nanoTime());
        long delivered = clients.sum("pushes") - deliveredBefore;
        return new Result(clientCount, before, (restartAt - killedAt) / 1e9, (readyAt - restartAt) / 1e6,
                after >= clientCount ? (healedAt - readyAt) / 1e6 : Double.NaN, after, p.sent, p.accepted, p.refused,
                p.failed, delivered, p.firstRefusal);
    }

    /** The sum of the pushes' outcomes. */
    private static final class Pushed {
        long sent;
        long accepted;
        long refused;
        long failed;
        String firstRefusal = "";
    }

    /** Pushes in one-second rounds until {@code stop}. */
    private static Pushed pushUntil(HttpPusher http, URI uri, int rate, AtomicBoolean stop) {
        Pushed sum = new Pushed();
        try {
            while (!stop.get()) {
                HttpPusher.Outcome o = http.push(uri, rate, Duration.ofSeconds(1));
                sum.sent += o.sent();
                sum.accepted += o.accepted();
                sum.refused += o.refused();
                sum.failed += o.failed();
                if (sum.firstRefusal.isEmpty()) {
                    sum.firstRefusal = o.firstRefusal();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return sum;
    }

    /** Waits until the router holds {@code want} sessions (or {@code timeout}); returns the last count. */
    private static long awaitSessions(Cluster cluster, long want, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long n = sessions(cluster);
        while (n < want && System.nanoTime() < deadline) {
            Thread.sleep(50);
            n = sessions(cluster);
        }
        return n;
    }

    private static long sessions(Cluster cluster) throws InterruptedException {
        try {
            double sum = 0;
            for (Map.Entry<String, Double> e : cluster.router.metrics(true).entrySet()) {
                if (e.getKey().equals(SESSIONS) || e.getKey().startsWith(SESSIONS + "{")) {
                    sum += e.getValue();
                }
            }
            return (long) sum;
        } catch (IOException e) {
            return 0; // not answering yet
        }
    }

    static String describe(Result r) {
        return String.format(Locale.ROOT, "%,d sessions before; router down %.1f s, ready %.0f ms after its restart; "
                        + "%,d sessions %s after it was ready; pushes to user 1 meanwhile: sent %,d, accepted %,d, "
                        + "refused %,d, failed %,d, delivered %,d", r.sessionsBefore(), r.downSeconds(), r.readyMillis(),
                r.sessionsAfter(), Double.isNaN(r.healMillis()) ? "(not all) in the timeout"
                        : String.format(Locale.ROOT, "%.0f ms", r.healMillis()),
                r.sent(), r.accepted(), r.refused(), r.failed(), r.delivered())
                + (r.firstRefusal().isEmpty() ? "" : "; first refusal: " + r.firstRefusal());
    }
}
