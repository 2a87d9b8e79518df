package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.libs.config.InvalidConfigException;
import io.goim.proto.ConnectReply;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Connect over gRPC with goim's default authenticator, its strict switch, and one chosen by config. */
class AuthenticationTest {

    @Test
    void goimsDefaultAcceptsUserIdsAndTheAnonymousUser() throws Exception {
        try (LogicHarness h = new LogicHarness(1, false, Map.of())) {
            ConnectReply user = h.connect("1000", 3);
            assertEquals("1000_1", user.getKey());
            assertEquals(1000, user.getUserId());
            assertEquals("1", user.getRoomKey());
            ConnectReply ws = h.connect("\"1000\"", 3);
            assertEquals("1000_2", ws.getKey(), "a JSON string token is unwrapped: same user, next seq");
            ConnectReply anon = h.connect("{\"data\": {}}", 3);
            assertEquals(0, anon.getUserId());
            assertEquals("", anon.getRoomKey());
            assertEquals(3, h.routers.get(0).sessions().count());
        }
    }

    @Test
    void withAnonymousSwitchedOffATokenThatIsNotAUserIdIsUnauthenticated() throws Exception {
        try (LogicHarness h = new LogicHarness(1, false, Map.of("logic.auth.allow-anonymous", false))) {
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> h.connect("{\"data\": {}}", 1));
            assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
            assertEquals("token is not a user id", e.getStatus().getDescription());
            assertEquals(0, h.routers.get(0).sessions().count(), "nothing registered for a refused token");
            assertEquals("7_1", h.connect("7", 1).getKey(), "user ids still work");
        }
    }

    @Test
    void anAuthenticatorNamedInConfigIsUsedWithoutRecompilingLogic() throws Exception {
        try (LogicHarness h = new LogicHarness(1, false, Map.of("logic.auth.class", TestAuthenticator.class.getName()))) {
            ConnectReply c = h.connect("user:55:room:9", 2);
            assertEquals("55_1", c.getKey());
            assertEquals("9", c.getRoomKey());
            assertEquals(1, h.routers.get(0).sessions().roomCount("9"));

            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> h.connect("1000", 2));
            assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode(),
                    "the default's decimal rule is not in force");
            assertEquals("not a test token (anonymous allowed: true)", refused.getStatus().getDescription(),
                    "the plug-in was given logic's config");

            StatusRuntimeException bug = assertThrows(StatusRuntimeException.class, () -> h.connect("boom", 2));
            assertEquals(Status.Code.INTERNAL, bug.getStatus().getCode(), "a crashing authenticator is INTERNAL");
            assertEquals(1, h.routers.get(0).sessions().count());
        }
    }

    @Test
    void anUnusableAuthenticatorClassStopsLogicAtStartWithAClearMessage() {
        for (String name : new String[] {"no.such.Auth", String.class.getName(), TestAuthenticator.NoConstructor.class.getName()}) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class,
                    () -> new LogicHarness(1, false, Map.of("logic.auth.class", name)).close());
            assertTrue(e.getMessage().startsWith("logic.auth.class: " + name), e.getMessage());
        }
    }
}
