package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DefaultAuthenticatorTest {
    private final DefaultAuthenticator goim = new DefaultAuthenticator(true);
    private final DefaultAuthenticator strict = new DefaultAuthenticator(false);

    @Test
    void decimalTokenIsTheUserIdInRoomOne() throws Exception {
        assertEquals(new Authenticator.Identity(42, "1"), goim.authenticate("42"));
        assertEquals(new Authenticator.Identity(1000, "1"), goim.authenticate("1000"));
    }

    @Test
    void jsonStringHoldingAUserIdIsUnwrapped() throws Exception {
        assertEquals(new Authenticator.Identity(1000, "1"), goim.authenticate("\"1000\""));
    }

    @Test
    void anyOtherTokenIsTheAnonymousUserInNoRoom() throws Exception {
        assertEquals(new Authenticator.Identity(0, ""), goim.authenticate("{\"data\": {}}"));
        assertEquals(new Authenticator.Identity(0, ""), goim.authenticate(""));
        assertEquals(new Authenticator.Identity(0, ""), goim.authenticate("-5"));
        assertEquals(new Authenticator.Identity(0, ""), goim.authenticate("99999999999999999999"));
    }

    @Test
    void strictModeRefusesTokensThatAreNotUserIds() throws Exception {
        assertThrows(Authenticator.AuthRefusedException.class, () -> strict.authenticate("{\"data\": {}}"));
        assertEquals(new Authenticator.Identity(7, "1"), strict.authenticate("7"));
    }
}
