package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.job.JobServer;
import io.goim.protocol.Op;
import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.Counts;
import io.goim.libs.testing.TcpTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Job's delivery promises seen by real TCP clients of real comets: room messages reach
 * exactly the room's members on every comet, batched and in order, and a job killed in
 * the middle of a burst loses no accepted message once another job takes over.
 */
@ClusterTest
class JobDeliveryE2ETest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final HttpClient http = HttpClient.newHttpClient();

    /** A TCP client that authenticates and then records every push body it receives, on its own thread. */
    private static final class Member implements AutoCloseable {
        final TcpTestClient client;
        final List<String> bodies = new CopyOnWriteArrayList<>();
        private final Thread reader;
        private volatile boolean closed;

        Member(int port, String token) throws Exception {
            client = new TcpTestClient("127.0.0.1", port);
            client.send(Op.AUTH, 1, token);
            assertEquals(Op.AUTH_REPLY, client.receive().op());
            reader = new Thread(() -> {
                try {
                    while (!closed) {
                        TcpTestClient.Received r = client.receive();
                        if (r.op() == Op.SEND_MSG_REPLY) {
                            bodies.add(r.bodyText());
                        }
                    }
                } catch (Exception e) {
                    // closed, or silent for the read timeout
                }
            }, "member-" + token);
            client.setReadTimeout(60_000);
            reader.start();
        }

        @Override
        public void close() throws Exception {
            closed = true;
            client.close();
            reader.join(5_000);
        }
    }

    private CompletableFuture<HttpResponse<String>> post(LocalCluster c, String pathAndQuery, String body) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.logic.httpPort() + pathAndQuery))
                .timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Waits until job delivers to room 1 (it owns its partitions and the comets answer):
     * posts a numbered probe and gives it 2 s to reach every member, then the next, until
     * one does; since a room keeps its order, no earlier probe can arrive later. (A new
     * probe on every poll would outrun a comet that delivers slower than the poll.) Then
     * clears what the members received.
     */
    private void awaitRoomRouted(LocalCluster c, Member... members) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        for (int probe = 1; ; probe++) {
            String body = "\"probe-" + probe + "\"";
            accepted(post(c, "/1/push/room?rid=1", body).get());
            try {
                Await.until("probe " + probe + " at every member", Duration.ofSeconds(2),
                        () -> Arrays.stream(members).allMatch(m -> m.bodies.contains(body)));
                break;
            } catch (AssertionError notYet) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("room 1 not routed to every member's comet within " + WAIT, notYet);
                }
            }
        }
        for (Member m : members) {
            m.bodies.clear();
        }
    }

    private static void accepted(HttpResponse<String> res) {
        assertEquals("{\"ret\":1}", res.body());
    }

    @Test
    void roomMessagesReachEveryMemberOnEveryCometInOrderAndNobodyElse(LocalCluster.Builder newCluster) throws Exception {
        try (LocalCluster c = newCluster.comets(2).start();
                Member a = new Member(c.comets.get(0).tcpPort(), "1001");
                Member b = new Member(c.comets.get(1).tcpPort(), "1002");
                Member outsider = new Member(c.comets.get(1).tcpPort(), "not-a-number")) {
            awaitRoomRouted(c, a, b);
            long batchesBefore = Counts.of(c.job.registry(), "goim_job_room_batches");
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                expected.add("{\"n\":" + i + "}");
            }
            for (String m : expected) {
                accepted(post(c, "/1/push/room?rid=1", m).get()); // one after another: Kafka order = this order
            }
            try {
                Await.until("both members got all 200", WAIT, () -> a.bodies.size() >= 200 && b.bodies.size() >= 200);
            } finally {
                System.out.printf("a %d b %d outsider %d; counters: consumed %d batches %d given up %d%n",
                        a.bodies.size(), b.bodies.size(), outsider.bodies.size(), Counts.of(c.job.registry(), "goim_job_consumed"),
                        Counts.of(c.job.registry(), "goim_job_room_batches"), Counts.sum(c.job.registry(), "goim_job_comet_given_up"));
            }
            assertEquals(expected, a.bodies);
            assertEquals(expected, b.bodies);
            accepted(post(c, "/1/push/all", "\"everyone\"").get());
            Await.until("broadcast reaches the outsider", WAIT, () -> outsider.bodies.contains("\"everyone\""));
            assertEquals(List.of("\"everyone\""), outsider.bodies, "no room message reached a connection outside room 1");
            assertEquals(0, Counts.sum(c.job.registry(), "goim_job_comet_given_up"));
            System.out.printf("e2e room: %d batches for %d room messages posted one after another (largest %d)%n",
                    Counts.of(c.job.registry(), "goim_job_room_batches") - batchesBefore, 200, Math.round(c.job.registry().get("goim_job_room_largest_batch").gauge().value()));
        }
    }

    @Test
    void aJobKilledMidBurstLosesNoAcceptedMessage(LocalCluster.Builder newCluster) throws Exception {
        try (LocalCluster c = newCluster.comets(2).start();
                Member a = new Member(c.comets.get(0).tcpPort(), "3001");
                Member b = new Member(c.comets.get(1).tcpPort(), "3002")) {
            awaitRoomRouted(c, a, b);
            int n = 600;
            Set<String> expected = new HashSet<>();
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            JobServer second = null;
            try {
                for (int i = 0; i < n; i++) {
                    String m = "{\"k\":" + i + "}";
                    expected.add(m);
                    // alternately a room push (ensure: may wait, never dropped) and a push to user 3001
                    responses.add(i % 2 == 0
                            ? post(c, "/1/push/room?rid=1&ensure=true", m)
                            : post(c, "/1/push?uid=3001", m));
                    if (i == n / 2) {
                        for (CompletableFuture<HttpResponse<String>> r : responses) {
                            accepted(r.get());
                        }
                        c.job.halt(); // like a crash: nothing more is committed
                        second = JobServer.start(c.jobConfig(Map.of()));
                    }
                }
                for (CompletableFuture<HttpResponse<String>> r : responses) {
                    accepted(r.get());
                }
                Set<String> roomOnes = new HashSet<>();
                Set<String> all = new HashSet<>();
                for (String m : expected) {
                    int k = Integer.parseInt(m.replaceAll("\\D", ""));
                    all.add(m);
                    if (k % 2 == 0) {
                        roomOnes.add(m);
                    }
                }
                Await.until("user 3001 got every accepted message", WAIT, () -> new HashSet<>(a.bodies).containsAll(all));
                Await.until("user 3002 got every room message", WAIT, () -> new HashSet<>(b.bodies).containsAll(roomOnes));
                // The halted job's successor reads again what was not committed yet (up to
                // job.kafka.commit-interval back), which may reach back to the routing probes.
                Set<String> roomGot = new HashSet<>(b.bodies);
                roomGot.removeIf(m -> m.startsWith("\"probe-"));
                assertEquals(roomOnes, roomGot, "3002 is only in the room: no push to user 3001 reached it");
                System.out.printf("e2e kill and restart: %d accepted, 3001 received %d (duplicates %d), "
                        + "3002 received %d of %d room messages%n", n, a.bodies.size(), a.bodies.size() - n,
                        b.bodies.size(), roomOnes.size());
            } finally {
                if (second != null) {
                    second.close();
                }
            }
        }
    }

    /**
     * A client that joins room 1 on a comet where nobody was in room 1 gets a push posted
     * right after its login: job sends room messages to every comet, so there is no
     * window until some routing refresh (goim's behaviour, up to job.room.refresh).
     */
    @Test
    void aClientThatJustJoinedARoomOnAnyCometGetsTheNextPush(LocalCluster.Builder newCluster) throws Exception {
        try (LocalCluster c = newCluster.comets(2).start();
                Member first = new Member(c.comets.get(0).tcpPort(), "5001")) {
            awaitRoomRouted(c, first); // job is consuming; comet 2 has never had anyone in room 1
            for (int i = 0; i < 5; i++) {
                try (Member late = new Member(c.comets.get(1).tcpPort(), Integer.toString(5100 + i))) {
                    String body = "{\"right-after-login\":" + i + "}";
                    accepted(post(c, "/1/push/room?rid=1", body).get());
                    Await.until("the client that just joined got the push", WAIT, () -> late.bodies.contains(body));
                }
            }
        }
    }

    /**
     * A comet that can hold almost nothing unwritten ({@code push.max-pending} = 1 byte)
     * refuses push calls while it writes; job waits and retries, and every accepted push
     * still arrives: room pushes in order, user pushes all of them, nothing given up.
     */
    @Test
    void aCometThatCannotKeepUpMakesJobWaitAndLosesNothingAccepted(LocalCluster.Builder newCluster) throws Exception {
        // The room lane rests after every pass until 50 ms after it began: room messages wait
        // meanwhile, so calls that arrive then find bytes pending and are refused, however
        // fast the machine.
        try (LocalCluster c = newCluster.comet("comet.push.max-pending", "1B")
                        .comet("comet.push.rest.ratio", 1000).comet("comet.push.rest.cycle", "50ms")
                        .job("job.comet-backoff", "5ms").start();
                Member a = new Member(c.comet.tcpPort(), "4001");
                Member b = new Member(c.comet.tcpPort(), "4002")) {
            awaitRoomRouted(c, a, b);
            int n = 300;
            List<String> room = new ArrayList<>();
            Set<String> toUser = new HashSet<>();
            List<CompletableFuture<HttpResponse<String>>> userPosts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String u = "{\"u\":" + i + "}";
                toUser.add(u);
                userPosts.add(post(c, "/1/push?uid=4001", u)); // all at once: they pile up in job and comet
            }
            for (int i = 0; i < n; i++) {
                String r = "{\"r\":" + i + "}";
                room.add(r);
                accepted(post(c, "/1/push/room?rid=1", r).get()); // one after another: Kafka order = this order
            }
            for (CompletableFuture<HttpResponse<String>> p : userPosts) {
                accepted(p.get());
            }
            // By content, not by size: a push that arrived twice must not end the wait early.
            Await.until("every accepted push arrived", WAIT, () -> b.bodies.containsAll(room)
                    && a.bodies.containsAll(room) && a.bodies.containsAll(toUser));
            AdminScrape.Metrics job = AdminScrape.metrics(c.job.adminPort());
            System.out.printf("e2e busy comet: 4001 received %d of %d, 4002 %d of %d; %.0f user pushes in %.0f calls%n",
                    a.bodies.size(), 2 * n, b.bodies.size(), n, job.value("goim_job_user_batched_pushes_total", "comet", "1"),
                    job.value("goim_job_user_batches_total", "comet", "1"));
            assertEquals(room, b.bodies, "4002 got the room's pushes, all, in order");
            List<String> roomAtA = new ArrayList<>(a.bodies);
            roomAtA.removeIf(toUser::contains);
            assertEquals(room, roomAtA);
            assertEquals(2 * n, a.bodies.size(), "each push reached 4001 once (300 pushes to one user at once"
                    + " merge into one lookup, which must not find the user once per push)");
            double refused = AdminScrape.metrics(c.comet.adminPort()).value("goim_comet_push_refused_total");
            double busy = AdminScrape.metrics(c.job.adminPort()).value("goim_job_comet_busy_total", "comet", "1");
            System.out.printf("e2e busy comet: %d room + %d user pushes delivered; comet refused %.0f calls, job retried %.0f%n",
                    n, n, refused, busy);
            assertTrue(refused > 0, "the comet was made to refuse calls");
            assertEquals(refused, busy, "job retried every refused call");
            assertEquals(0, Counts.sum(c.job.registry(), "goim_job_comet_given_up"));
        }
    }
}
