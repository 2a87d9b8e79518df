package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.goim.proto.CometInstance;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The nodes API's weighting: connections per weight, least loaded first, spread between announcements. */
class CometViewTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final LogicMeters meters = new LogicMeters(registry);
    /** What the directory answers the view's next refresh. */
    private CompletableFuture<List<CometInstance>> answer = CompletableFuture.completedFuture(List.of());
    private final CometView view = new CometView(new CometDirectory() {
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
    }, meters.nodesRefreshFailures);

    private static CometInstance comet(int server, int connections, int weight, long ageMs) {
        return CometInstance.newBuilder().setServer(server).setIncarnation(7).setConnections(connections)
                .setWeight(weight).setAgeMs(ageMs).addTcp("10.0.0." + server + ":8080").setGrpc("10.0.0.1:8092")
                .setTtlMs(10_000).build();
    }

    private int first() {
        return view.weighted(5).get(0).getServer();
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
