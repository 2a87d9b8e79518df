package io.goim.logic.discovery;

import io.goim.logic.session.CometDirectory;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.goim.logic.LogicMeters;
import io.goim.proto.CometInstance;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The nodes API's weighting: connections per weight lowered by CPU load, least loaded
 * first, spread between announcements.
 */
class CometViewTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LogicMeters meters = new LogicMeters(registry);
    /** What the directory answers the view's next refresh. */
    private CompletableFuture<List<CometInstance>> answer = CompletableFuture.completedFuture(List.of());
    private final CometDirectory directory = new CometDirectory() {
        @Override
        public CompletableFuture<Void> announce(CometInstance comet) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> withdraw(int server, long incarnation) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<List<CometInstance>> comets() {
            return answer;
        }
    };
    private final CometView view = new CometView(directory, meters.nodesRefreshFailures);

    private static CometInstance comet(int server, int connections, int weight, long ageMs) {
        return CometInstance.newBuilder().setServer(server).setIncarnation(7).setConnections(connections)
                .setWeight(weight).setAgeMs(ageMs).addTcp("10.0.0." + server + ":8080").setGrpc("10.0.0.1:8092")
                .setTtlMs(10_000).build();
    }

    private static CometInstance comet(int server, int connections, int weight, double cpu) {
        return comet(server, connections, weight, 0L).toBuilder().setCpu(cpu).build();
    }

    private int first() {
        return first(view);
    }

    private static int first(CometView v) {
        return v.weighted(5).get(0).getServer();
    }

    /** Which comet each of {@code n} answers names first, counted. */
    private static Map<Integer, Integer> spread(CometView v, int n) {
        Map<Integer, Integer> sent = new HashMap<>();
        for (int i = 0; i < n; i++) {
            sent.merge(first(v), 1, Integer::sum);
        }
        return sent;
    }

    private static List<Integer> order(CometView v) {
        return v.weighted(5).stream().map(CometInstance::getServer).toList();
    }

    @Test
    void aBusierCpuLowersACometsShareOfNewClients() {
        // Equal weight and connections; effective weights 10 x (1 - 0.2) = 8 and 10 x (1 - 0.6) = 4.
        view.update(List.of(comet(1, 100, 10, 0.2), comet(2, 100, 10, 0.6)));
        assertEquals(List.of(1, 2), order(view)); // an answer: one client counted on comet 1
        assertEquals(Map.of(1, 299, 2, 100), spread(view, 399), "(100 + 300) / 8 = (100 + 100) / 4: two to one");
    }

    @Test
    void cpuCanOutweighConnections() {
        // 1: 50 connections at 90 % CPU: 50 / (10 x 0.1) = 50; 2: 80 at 10 %: 80 / 9 = 8.9.
        view.update(List.of(comet(1, 50, 10, 0.9), comet(2, 80, 10, 0.1)));
        assertEquals(List.of(2, 1), order(view));
        // A comet at full CPU keeps 5 % of its weight: it still takes a client now and then.
        view.update(List.of(comet(1, 0, 10, 1.0), comet(2, 0, 10, 0.0)));
        Map<Integer, Integer> sent = spread(view, 210);
        assertEquals(10, sent.get(1), "0.5 : 10 of the weight: " + sent);
        assertEquals(200, sent.get(2));
    }

    @Test
    void equalLoadsGoToTheLowerCpuFirst() {
        view.update(List.of(comet(1, 0, 10, 0.7), comet(2, 0, 10, 0.1)));
        assertEquals(2, first(), "no connections anywhere: the idler CPU first, whatever the id");
        assertEquals(Map.of(1, 75, 2, 224), spread(view, 299), "then 0.3 : 0.9 of the weight (75 : 225 with the first)");
    }

    @Test
    void unknownCpuCountsAsIdleAndCpuWeightZeroIgnoresIt() {
        // -1: the comet's JVM cannot tell; 0: a comet of a release that announced no CPU.
        view.update(List.of(comet(1, 100, 10, -1.0), comet(2, 100, 10, 0.0), comet(3, 100, 10, 0.5)));
        assertEquals(List.of(1, 2, 3), order(view), "1 and 2 as idle, 3 at half weight");
        CometView connectionsOnly = new CometView(directory, meters.nodesRefreshFailures, 0);
        connectionsOnly.update(List.of(comet(1, 100, 10, 0.9), comet(2, 120, 10, 0.1)));
        assertEquals(List.of(1, 2), order(connectionsOnly), "cpu-weight 0: connections per weight alone (goim v2)");
        CometView half = new CometView(directory, meters.nodesRefreshFailures, 0.5);
        half.update(List.of(comet(1, 100, 10, 0.8), comet(2, 100, 10, 0.0)));
        // 1: 100 / (10 x (1 - 0.5 x 0.8)) = 16.7; 2: 10.
        assertEquals(Map.of(1, 50, 2, 150), spread(half, 200), "(100 + 50) / 6 = (100 + 150) / 10");
    }

    @Test
    void leastConnectionsPerWeightFirst() {
        // 1: 100 per 10 = 10; 2: 150 per 30 = 5; 3: 80 per 10 = 8
        view.update(List.of(comet(1, 100, 10, 0), comet(2, 150, 30, 0), comet(3, 80, 10, 0)));
        List<CometInstance> order = view.weighted(2);
        assertEquals(List.of(2, 3), order.stream().map(CometInstance::getServer).toList());
    }

    @Test
    void answersBetweenAnnouncementsSpreadInProportionToWeight() {
        view.update(List.of(comet(1, 0, 10, 0), comet(2, 0, 30, 0)));
        Map<Integer, Integer> sent = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            sent.merge(first(), 1, Integer::sum);
        }
        assertEquals(100, sent.get(1));
        assertEquals(300, sent.get(2));
        // The same announcements read again keep the counts; fresh ones (real connections) replace them.
        view.update(List.of(comet(1, 0, 10, 500), comet(2, 0, 30, 500)));
        assertEquals(1, first(), "1: 100 sent per 10, 2: 300 per 30: tie, lower id");
        view.update(List.of(comet(1, 500, 10, 0), comet(2, 0, 30, 0)));
        assertEquals(2, first(), "comet 1 reported 500 connections");
    }

    @Test
    void drainingAndZeroWeightCometsTakeNoClients() {
        view.update(List.of(comet(1, 0, 10, 0).toBuilder().setDraining(true).build(), comet(2, 0, 0, 0),
                comet(3, 900, 10, 0)));
        assertEquals(List.of(3), view.weighted(5).stream().map(CometInstance::getServer).toList());
        assertEquals(3, view.instances().size(), "instances lists them all");
    }

    @Test
    void aFailedRefreshIsCountedAndKeepsTheLastView() {
        meters.gauges(view);
        answer = CompletableFuture.completedFuture(List.of(comet(1, 0, 10, 0), comet(2, 0, 10, 0)));
        view.refresh();
        assertEquals(2.0, registry.get("goim_logic_nodes_comets").gauge().value());
        answer = CompletableFuture.failedFuture(new IllegalStateException("store down"));
        view.refresh();
        assertEquals(1.0, registry.get("goim_logic_nodes_refresh_failures").counter().count());
        assertEquals(2, view.instances().size(), "the last view is kept");
        assertEquals(2.0, registry.get("goim_logic_nodes_comets").gauge().value());
    }
}
