package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class V2AuthBodyTest {
    private final DefaultAuthenticator goim = new DefaultAuthenticator(true);

    @Test
    void goimV2BodyIsItsUserWithKeyRoomAndAccepts() throws Exception {
        Authenticator.Identity id = goim.authenticate(
                "{\"mid\":123,\"key\":\"k-1\",\"room_id\":\"live://1000\",\"platform\":\"web\",\"accepts\":[1000,1001]}");
        assertEquals(123, id.userId());
        assertEquals("live://1000", id.room(), "the typed room_id is the connection's room key");
        assertEquals(new Authenticator.V2("k-1", "web", List.of(1000, 1001)), id.v2());
    }

    @Test
    void anEmptyKeyIsGeneratedAndMissingFieldsAreEmpty() throws Exception {
        Authenticator.Identity id = goim.authenticate("{\"mid\":7}");
        assertEquals(Authenticator.NO_ROOM, id.room());
        assertEquals(new Authenticator.V2("", "", List.of()), id.v2());
    }

    @Test
    void v1TokensStayV1() throws Exception {
        assertNull(goim.authenticate("42").v2());
        assertEquals(new Authenticator.Identity(42, "1"), goim.authenticate("42"));
        assertEquals(new Authenticator.Identity(0, Authenticator.NO_ROOM), goim.authenticate("{\"data\": {}}"), "an object without mid is v1's anonymous");
    }

    @Test
    void aKeyOfTheSubKeyFormOrABadFieldIsRefused() {
        assertThrows(Authenticator.AuthRefusedException.class, () -> goim.authenticate("{\"mid\":7,\"key\":\"8_1\"}"));
        assertThrows(Authenticator.AuthRefusedException.class, () -> goim.authenticate("{\"mid\":-1}"));
        assertThrows(Authenticator.AuthRefusedException.class, () -> goim.authenticate("{\"mid\":7,\"accepts\":[\"x\"]}"));
        assertThrows(Authenticator.AuthRefusedException.class,
                () -> goim.authenticate("{\"mid\":7,\"room_id\":\"live://1\\n2\"}"), "a room key with a control character");
        assertThrows(Authenticator.AuthRefusedException.class,
                () -> goim.authenticate("{\"mid\":7,\"key\":\"" + "k".repeat(257) + "\"}"));
    }
}
