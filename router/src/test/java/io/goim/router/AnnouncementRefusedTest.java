package io.goim.router;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.goim.proto.CometInstance;
import io.goim.proto.Empty;
import io.goim.router.discovery.CometRegistry;
import io.goim.router.session.SessionStore;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A router holding its bound of comet announcements refuses a new comet's with
 * RESOURCE_EXHAUSTED and counts it in goim_router_comet_announcements_refused_total;
 * goim_router_comets shows what it holds.
 */
class AnnouncementRefusedTest {
    private final AtomicLong now = new AtomicLong();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RouterMeters meters = new RouterMeters(registry);
    private final SessionStore store = new SessionStore(2, Duration.ofHours(1), now::get);
    private final CometRegistry comets = new CometRegistry(1, now::get);
    private final RouterService service = new RouterService(store, comets, 1, meters.calls);

    private static Status announce(RouterService service, int server) {
        Status[] out = new Status[1];
        service.announce(CometInstance.newBuilder().setServer(server).setIncarnation(5).setTtlMs(10_000)
                .setGrpc("127.0.0.1:9000").build(), new StreamObserver<Empty>() {
                    @Override
                    public void onNext(Empty value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        out[0] = Status.fromThrowable(t);
                    }

                    @Override
                    public void onCompleted() {
                        out[0] = Status.OK;
                    }
                });
        return out[0];
    }

    @Test
    void anAnnouncementPastTheBoundIsRefusedAndCounted() {
        meters.gauges(store, comets);
        assertEquals(Status.Code.OK, announce(service, 1).getCode());
        assertEquals(Status.Code.OK, announce(service, 1).getCode(), "the same comet again replaces its entry");
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, announce(service, 2).getCode());
        assertEquals(1.0, registry.get("goim_router_comet_announcements_refused").counter().count());
        assertEquals(1.0, registry.get("goim_router_comets").gauge().value());
        assertEquals(0.0, registry.get("goim_router_invalid_arguments").counter().count(), "a full router is no caller bug");
    }
}
