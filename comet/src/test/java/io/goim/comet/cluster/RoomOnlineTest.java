package io.goim.comet.cluster;

import io.goim.comet.CometMeters;
import io.goim.comet.FakeLogic;
import io.goim.comet.session.Connection;
import io.goim.comet.session.ConnectionRegistry;
import io.goim.comet.session.V2State;
import io.goim.comet.transport.Wire;
import io.goim.libs.testing.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rooms' cluster-wide counts for goim v2 heartbeat replies: this comet's counts go to
 * logic (RenewOnline, a real gRPC call to a fake logic), logic's answer is kept per room, a
 * room logic does not count yet falls back to this comet's own count, and a failed refresh
 * keeps the last counts.
 */
class RoomOnlineTest {
    private final ConnectionRegistry buckets = new ConnectionRegistry(4);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<EmbeddedChannel> channels = new ArrayList<>();
    private FakeLogic fake;
    private LogicClient logic;
    private RoomOnline online;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeLogic();
        logic = new LogicClient(List.of(io.goim.libs.config.HostPort.parse("logic", "127.0.0.1:" + fake.port())),
                Duration.ofSeconds(5), 3);
        online = new RoomOnline(buckets, logic, Duration.ofHours(1), Duration.ofMillis(50), Duration.ofSeconds(5),
                new CometMeters(registry).onlineRenewals);
    }

    @AfterEach
    void stop() throws Exception {
        online.close();
        logic.close();
        fake.close();
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    private Connection join(String key, String room) {
        EmbeddedChannel ch = new EmbeddedChannel();
        channels.add(ch);
        Connection c = new Connection(key, 1, ch, Wire.TCP, new V2State(null, new int[] {1000}));
        buckets.put(c, room);
        return c;
    }

    @Test
    void keepsLogicsCountsPerRoomAndFallsBackToItsOwn() {
        Connection a = join("a", "live://1");
        Connection b = join("b", "live://1");
        Connection c = join("c", "live://2");
        Connection none = join("d", "");
        assertEquals(1, online.of(c), "before any refresh: the room's count here");

        fake.allRoomCount.put("live://1", 7);
        fake.allRoomCount.put("live://9", 4); // a room this comet does not hold
        online.refresh();
        assertEquals(Map.of("live://1", 2, "live://2", 1), fake.renewedOnline.get(), "this comet's counts went out");
        assertEquals(true, fake.lastRenewOnline.get().getCounted(), "as its own counts, for a store to correct its own");
        assertEquals(4, fake.lastRenewOnline.get().getConnections(), "with its connections, those in no room too");
        assertEquals(true, fake.lastRenewOnline.get().getAllRooms(), "one call: every room it holds");
        assertEquals(7, online.of(a), "logic's count across the cluster");
        assertEquals(7, online.of(b));
        assertEquals(1, online.of(c), "a room logic does not count yet: this comet's own count");
        assertEquals(0, online.of(none), "no room: 0");

        fake.failRenewOnline = true;
        fake.allRoomCount.put("live://1", 9);
        online.refresh();
        assertEquals(7, online.of(a), "a failed refresh keeps the last counts");
        assertEquals(1.0, registry.get("goim_comet_online_renewals").tag("outcome", "failed").counter().count());
        assertEquals(1.0, registry.get("goim_comet_online_renewals").tag("outcome", "ok").counter().count());

        fake.failRenewOnline = false;
        online.refresh();
        assertEquals(9, online.of(a));
    }

    @Test
    void aCometWithManyRoomsSendsThemInBoundedCalls() {
        for (int i = 0; i < RoomOnline.MAX_ROOMS_PER_CALL + 10; i++) {
            join("k" + i, "live://" + i);
        }
        fake.allRoomCount.put("live://3", 5);
        online.refresh();
        assertEquals(10, fake.renewedOnline.get().size(), "the last of two calls carried the rest");
        assertEquals(false, fake.lastRenewOnline.get().getAllRooms(), "a call of several lists some rooms only");
        assertEquals(List.of(1L, 2, 2), List.of(fake.lastRenewOnline.get().getRound(), fake.lastRenewOnline.get().getPart(),
                fake.lastRenewOnline.get().getParts()), "the last of two calls of the first report");
        assertEquals(RoomOnline.MAX_ROOMS_PER_CALL + 10, fake.lastRenewOnline.get().getConnections());
        assertEquals(2.0, registry.get("goim_comet_online_renewals").tag("outcome", "ok").counter().count());
        assertEquals(5, online.of(buckets.get("k3")));
    }

    private double reports() {
        return registry.get("goim_comet_online_renewals").tag("outcome", "ok").counter().count();
    }

    /**
     * After a login comet gave up or a failed call (when the session store's counts may
     * have missed an update), two reports follow quickly (comet.online-recheck), however
     * many events ask for them; the next event asks for two more.
     */
    @Test
    void eventsThatMayLeaveCountsOffBringTwoQuickReports() throws Exception {
        join("a", "live://1");
        for (int i = 0; i < 100; i++) {
            online.soon();
        }
        Await.until("two quick reports", Duration.ofSeconds(5), () -> reports() == 2);
        assertEquals(Map.of("live://1", 1), fake.renewedOnline.get());
        online.soon();
        Await.until("two more, and no more", Duration.ofSeconds(5), () -> reports() == 4);
        assertEquals(2L + 2, fake.lastRenewOnline.get().getRound(), "each report its own round");
    }

    @Test
    void aCometInNoRoomStillReportsItsConnections() {
        join("a", "");
        online.refresh();
        assertEquals(Map.of(), fake.renewedOnline.get());
        assertEquals(1, fake.lastRenewOnline.get().getConnections(), "a store counting it in a room corrects that");
        assertEquals(true, fake.lastRenewOnline.get().getAllRooms());
    }
}
