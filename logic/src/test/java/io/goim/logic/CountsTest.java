package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.goim.libs.testing.Await;
import io.goim.proto.ConnectReply;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /1/count is served from a snapshot refreshed on an interval from all routers. */
class CountsTest {

    @Test
    void countsFollowTheRoutersOnTheIntervalAndSurviveARouterOutage() throws Exception {
        try (LogicHarness started = new LogicHarness(2, false, Map.of("logic.count-refresh", "100ms"))) {
            h = started;
            ConnectReply a = h.connect("1", 4);
            h.connect("2", 4);
            h.connect("3", 5);
            String both = "{\"ret\":1,\"data\":[{\"Server\":4,\"Count\":2},{\"Server\":5,\"Count\":1}]}";
            Await.until("the snapshot shows both comets", Duration.ofSeconds(10), () -> body("server").equals(both));
            assertEquals("{\"ret\":1,\"data\":[{\"RoomId\":1,\"Count\":3}]}", body("room"));

            h.disconnect(a, 4);
            Await.until("the next refresh drops one", Duration.ofSeconds(10), () -> body("server").contains("{\"Server\":4,\"Count\":1}"));

            for (var r : h.routers) {
                r.close();
            }
            // Not a timeout under test: only letting several refreshes fail before looking.
            Thread.sleep(500);
            assertEquals("{\"ret\":1,\"data\":[{\"Server\":4,\"Count\":1},{\"Server\":5,\"Count\":1}]}", body("server"),
                    "while routers are down the last snapshot is served");
        }
    }

    private LogicHarness h;

    private String body(String type) {
        try {
            HttpResponse<String> res = h.send("GET", "/1/count?type=" + type, null);
            assertEquals(200, res.statusCode());
            return res.body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
