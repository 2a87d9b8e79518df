package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.goim.libs.testing.AdminScrape;
import io.goim.proto.ConnectReply;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connect over real gRPC with a real router: the per-user session cap, JWT logins, and what is counted. */
class LoginLimitsTest {
    @TempDir
    Path dir;

    @Test
    void aUserAtTheSessionCapIsRefusedUntilOneOfItsSessionsEnds() throws Exception {
        try (LogicHarness h = new LogicHarness(1, false, Map.of("logic.auth.max-sessions-per-user", 3))) {
            List<ConnectReply> held = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                held.add(h.connect("7", 1));
            }
            StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> h.connect("7", 2));
            assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
            assertEquals("user 7 holds 3 sessions (at most 3)", e.getStatus().getDescription());
            assertEquals(3, h.routers.get(0).sessions().userCount(7), "the refused login registered nothing");
            assertEquals("8_1", h.connect("8", 1).getKey(), "other users are not affected");

            h.disconnect(held.get(0), 1);
            assertEquals("7_4", h.connect("7", 2).getKey(), "a freed place can be taken again");

            AdminScrape.Metrics m = AdminScrape.metrics(h.logic.adminPort());
            assertEquals(1.0, m.value("goim_logic_session_cap_refused_total"));
        }
    }

    @Test
    void jwtLoginsAreCheckedAndRefusalsCountedByReason() throws Exception {
        JwtKeys keys = new JwtKeys(dir);
        try (LogicHarness h = new LogicHarness(1, false, Map.of(
                "logic.auth.class", JwtAuthenticator.class.getName(),
                "logic.auth.jwt.algorithms", List.of("HS256", "ES256"),
                "logic.auth.jwt.secret-file", keys.secretFile.toString(),
                "logic.auth.jwt.jwks-file", keys.jwksFile.toString()))) {
            ConnectReply c = h.connect(keys.hs256(JwtKeys.claims("1000", b -> b.claim("room", 5))), 1);
            assertEquals("1000_1", c.getKey());
            assertEquals("5", c.getRoomKey());
            assertEquals(1, h.connect(keys.es256(JwtKeys.claims("1", b -> { })), 1).getUserId());

            for (String bad : new String[] {"1000", keys.rs256(JwtKeys.claims("1", b -> { }))}) {
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> h.connect(bad, 1));
                assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
            }
            String[] parts = keys.hs256(JwtKeys.claims("1000", b -> { })).split("\\.");
            String forged = parts[0] + "." + com.nimbusds.jose.util.Base64URL.encode(
                    JwtKeys.claims("2000", b -> { }).toString()) + "." + parts[2];
            assertThrows(StatusRuntimeException.class, () -> h.connect(forged, 1));

            AdminScrape.Metrics m = AdminScrape.metrics(h.logic.adminPort());
            assertEquals(1.0, m.value("goim_logic_auth_refused_total", "reason", "malformed"));
            assertEquals(1.0, m.value("goim_logic_auth_refused_total", "reason", "bad_algorithm"), "RS256 not configured");
            assertEquals(1.0, m.value("goim_logic_auth_refused_total", "reason", "bad_signature"));
            assertEquals(2, h.routers.get(0).sessions().count(), "nothing registered for a refused token");
        }
    }
}
