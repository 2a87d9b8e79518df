package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.goim.client.GoimClient;
import io.goim.protocol.Transport;
import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.Counts;
import io.goim.logic.LogicServer;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two logics, one comet given both addresses: a logic closed while clients log in, and
 * after it, costs no login (comet sends Connect to the logic that is up, and retries once
 * a call whose logic went away under it), and pushes through the surviving logic's HTTP
 * API still reach every client. With the closed logic as comet's only address, the logins
 * after the close would have nowhere to go: comet would refuse them (authFailed).
 */
@ClusterTest
class LogicFailoverE2ETest {
    private static final int PER_STEP = 20;

    @Test
    void loginsAndPushesGoOnThroughTheSurvivingLogic(LocalCluster.Builder newCluster) throws Exception {
        // The client picks its socket type from the best transport: its group must match.
        EventLoopGroup group = Transport.best().group(2, "failover-clients");
        List<GoimClient> clients = new ArrayList<>();
        List<ClientRecorder> recorders = new ArrayList<>();
        try (LocalCluster cluster = newCluster.logics(2).start()) {
            int tcpPort = cluster.comet.tcpPort();
            long uid = 7000;
            // Before: both logics up.
            awaitAll(login(group, tcpPort, uid, PER_STEP, clients, recorders));
            uid += PER_STEP;

            // During: the second logic closes while these log in.
            LogicServer doomed = cluster.logics.get(1);
            List<CompletableFuture<Void>> during = login(group, tcpPort, uid, PER_STEP, clients, recorders);
            doomed.close();
            awaitAll(during);
            uid += PER_STEP;

            // After: only the first logic is left.
            awaitAll(login(group, tcpPort, uid, PER_STEP, clients, recorders));

            assertEquals(0, Counts.of(cluster.comet.registry(), "goim_comet_auth", "result", "failed"), "logins refused by comet");
            for (int i = 0; i < 5; i++) {
                assertEquals(200, AdminScrape.status(cluster.comet.adminPort(), "/ready"), "comet ready: a logic answers");
            }
            Await.until("every connection registered", Duration.ofSeconds(10),
                    () -> cluster.comet.online() == 3 * PER_STEP);
            for (int i = 0; i < clients.size(); i++) {
                long user = 7000 + i;
                assertEquals("{\"ret\":1}", cluster.post("/1/push?uid=" + user, "{\"n\":" + user + "}").body());
            }
            for (int i = 0; i < clients.size(); i++) {
                long user = 7000 + i;
                assertEquals("5:{\"n\":" + user + "}", recorders.get(i).pushes.poll(15, TimeUnit.SECONDS),
                        "push to user " + user + " via the surviving logic");
            }
            closeAll(clients);
        } finally {
            closeAll(clients);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    private static void closeAll(List<GoimClient> clients) {
        for (GoimClient c : clients) {
            c.close();
        }
    }

    /** Starts {@code n} TCP clients with users {@code first..first+n-1}; their futures complete at login. */
    private static List<CompletableFuture<Void>> login(EventLoopGroup group, int port, long first, int n,
            List<GoimClient> clients, List<ClientRecorder> recorders) {
        List<CompletableFuture<Void>> logins = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ClientRecorder rec = new ClientRecorder();
            GoimClient c = GoimClient.tcp("127.0.0.1", port).token(Long.toString(first + i))
                    .eventLoopGroup(group).listener(rec).build();
            clients.add(c);
            recorders.add(rec);
            logins.add(c.start());
        }
        return logins;
    }

    private static void awaitAll(List<CompletableFuture<Void>> logins) throws Exception {
        CompletableFuture.allOf(logins.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }
}
