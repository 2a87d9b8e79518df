package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.goim.libs.testing.RedisExtension;
import io.goim.proto.ConnectReply;
import io.goim.proto.ConnectReq;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Logic with each session store, played by a comet whose calls come late or twice (its
 * Disconnect retried after a timeout, its Connect repeated by the channel's retry): a late
 * Disconnect of a user's old session never removes the user's newer one, and a repeated
 * Connect does not store a second session.
 */
class LateDisconnectTest {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void routerStore() throws Exception {
        try (LogicHarness h = new LogicHarness(1, false, Map.of())) {
            check(h);
            assertEquals(0, h.routers.get(0).sessions().count(), "nothing left behind");
        }
    }

    @Test
    void redisStore() throws Exception {
        try (LogicHarness h = new LogicHarness(0, false, Map.of(
                "logic.session.store", "redis",
                "logic.session.redis.uris", List.of(redis.uri())))) {
            check(h);
        }
    }

    private static void check(LogicHarness h) {
        ConnectReply first = h.connect("5", 1);
        assertTrue(h.disconnect(first, 1), "the connection closes");
        // The client logs in again on the same comet while the Disconnect's retry is on its way.
        ConnectReply second = h.connect("5", 1);
        assertNotEquals(first.getKey(), second.getKey(), "the old key is not handed out again");
        assertFalse(h.disconnect(first, 1), "the retried Disconnect finds nothing");
        assertFalse(h.disconnect(second, 2), "a Disconnect from a comet that does not hold it changes nothing");

        ConnectReq login = ConnectReq.newBuilder().setToken(ByteString.copyFromUtf8("6")).setServer(1)
                .setLoginId(42).build();
        ConnectReply once = h.comet.connect(login);
        assertEquals(once.getKey(), h.comet.connect(login).getKey(), "a repeated Connect gets the same session");
        assertTrue(h.disconnect(once, 1));
        assertFalse(h.disconnect(once, 1), "there was one session, not two");

        assertTrue(h.disconnect(second, 1), "the user's newest session was there all along");
    }
}
