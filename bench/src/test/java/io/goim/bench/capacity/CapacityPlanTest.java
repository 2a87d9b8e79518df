package io.goim.bench.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import org.junit.jupiter.api.Test;

/** The plan's arithmetic on hand-checked figures, and that the tables follow the inputs. */
class CapacityPlanTest {
    private static final Config CAPACITY = CapacityPlan.load();

    private static Plan plan(Config capacity) {
        return new Plan(Inputs.from(capacity), Workload.from(capacity.getConfig("workload")));
    }

    private static Config with(String path, Object value) {
        return CAPACITY.withValue(path, ConfigValueFactory.fromAnyRef(value));
    }

    @Test
    void everyMeasuredFigureNamesItsSource() {
        Inputs in = Inputs.from(CAPACITY);
        assertFalse(in.measured().isEmpty());
        in.measured().forEach((k, f) -> {
            assertTrue(f.value() > 0, k + " has no value");
            assertFalse(f.source().isBlank(), k + " has no source");
        });
    }

    @Test
    void theWriteModelGivesBackTheMinimalServersTwoMeasuredPoints() {
        // With the comet as fast as the minimal server, 1 and 40 packets per write must cost
        // exactly what the minimal server was measured at.
        Config c = with("measured.comet-vs-minimal.value", 1.0).withValue("workload.websocket-share",
                ConfigValueFactory.fromAnyRef(0.0));
        Plan p = plan(c);
        assertEquals(1 / 96293.0, p.deliveryCost(1), 1e-12);
        assertEquals(1 / 3236246.0, p.deliveryCost(40), 1e-12);
        // All WebSocket: one frame per message costs the measured unbatched WebSocket delivery.
        Plan ws = plan(c.withValue("workload.websocket-share", ConfigValueFactory.fromAnyRef(1.0)));
        assertEquals(1 / 93132.0, ws.deliveryCost(1), 1e-12);
    }

    @Test
    void cometLoadFollowsTheWorkload() {
        Plan p = plan(CAPACITY);
        // One 1 M room at 20 msg/s over 50 comets: 20,000 members each, 400,000 deliveries/s, and
        // every one of its messages reaches every comet as a call.
        Plan.Load live = p.cometLoads().get(0);
        assertEquals(400_000, live.deliveries(), 1e-6);
        assertEquals(20, live.calls(), 1e-9);
        // 90,000 rooms at 0.2 msg/s: 18,000 calls/s at every comet, 900,000/s out of the jobs for them.
        assertEquals(18_000, p.cometLoads().get(1).calls(), 1e-6);
        assertEquals(18_020 * 50 + 20_000 + 50 / 60.0, p.jobCalls(), 1e-6);
        // A room of 100 over 50 comets touches ~43 of them.
        assertEquals(43.4, new RoomClass("r", 1, 100, 1).cometsPerRoom(50), 0.05);
    }

    @Test
    void memoryIsPerConnectionCostTimesConnectionsPerComet() {
        Config c = with("workload.websocket-share", 0.0);
        Table t = plan(c).cometMemory();
        // 200,000 TCP connections × 1,474 B = 0.27 GiB of live heap.
        assertEquals(String.format(java.util.Locale.ROOT, "%.2f GiB", 200_000 * 1474 / Plan.GIB), t.cell("live heap", 1));
    }

    @Test
    void reMeasuringAnInputChangesThePrintedPlan() {
        String before = CapacityPlan.render(CAPACITY);
        String after = CapacityPlan.render(with("measured.comet-cpu-per-room-call.value", 14.3));
        assertTrue(before.contains("### Comet CPU and network"));
        assertTrue(before.contains("docs/benchmarks.md §3, mem-tcp"), "inputs are printed with their sources");
        assertFalse(before.equals(after));
        // Ten times cheaper calls: the comets' share of the chat rooms' calls falls tenfold.
        double calls = plan(CAPACITY).cometLoads().get(1).calls();
        assertEquals(calls * 143e-6, calls * plan(with("measured.comet-cpu-per-room-call.value", 14.3)).callCost() * 10, 1e-9);
    }
}
