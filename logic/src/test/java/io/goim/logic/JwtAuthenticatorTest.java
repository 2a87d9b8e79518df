package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.PlainJWT;
import io.goim.libs.config.InvalidConfigException;
import io.goim.logic.Authenticator.AuthRefusedException;
import io.goim.logic.Authenticator.Identity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JWT authenticator with real keys generated here: what it accepts and, for each refusal, why. */
class JwtAuthenticatorTest {
    @TempDir
    Path dir;
    private JwtKeys keys;

    @BeforeEach
    void keys() throws Exception {
        keys = new JwtKeys(dir);
    }

    private JwtAuthenticator auth(List<String> algorithms, String issuer, String audience) {
        return new JwtAuthenticator(new JwtConfig(algorithms, keys.secretFile.toString(), keys.jwksFile.toString(),
                Duration.ofSeconds(30), true, issuer, audience, "sub", "room"), Clock.systemUTC());
    }

    private JwtAuthenticator all() {
        return auth(List.of("HS256", "RS256", "ES256"), "", "");
    }

    private static String refusal(Authenticator a, String token) {
        return assertThrows(AuthRefusedException.class, () -> a.authenticate(token)).reason();
    }

    @Test
    void tokensSignedWithEachConfiguredAlgorithmGiveTheirUserAndRoom() throws Exception {
        JwtAuthenticator a = all();
        assertEquals(new Identity(1000, "7"), a.authenticate(keys.hs256(JwtKeys.claims("1000", b -> b.claim("room", 7)))));
        assertEquals(new Identity(42, "3"), a.authenticate(keys.rs256(JwtKeys.claims(42L, b -> b.claim("room", "3")))));
        assertEquals(new Identity(5, Authenticator.NO_ROOM), a.authenticate(keys.es256(JwtKeys.claims("5", b -> { }))),
                "no room claim: no room");
        String ws = "\"" + keys.hs256(JwtKeys.claims("9", b -> { })) + "\"";
        assertEquals(9, a.authenticate(ws).userId(), "a WebSocket body is the token as a JSON string");
    }

    @Test
    void claimNamesAreConfigurable() throws Exception {
        JwtAuthenticator a = new JwtAuthenticator(new JwtConfig(List.of("HS256"), keys.secretFile.toString(), "",
                Duration.ofSeconds(30), true, "", "", "mid", "room_id"), Clock.systemUTC());
        assertEquals(new Identity(77, "1000"), a.authenticate(keys.hs256(JwtKeys.claims("ignored",
                b -> b.claim("mid", 77).claim("room_id", 1000)))));
        assertEquals("bad_claims", refusal(a, keys.hs256(JwtKeys.claims("77", b -> { }))), "no mid claim");
    }

    @Test
    void expiredAndNotYetValidTokensAreRefusedOutsideTheClockSkew() throws Exception {
        JwtAuthenticator a = all();
        Instant now = Instant.now();
        assertEquals("expired", refusal(a, keys.hs256(JwtKeys.claims("1", b -> b.expirationTime(Date.from(now.minusSeconds(120)))))));
        assertEquals(1, a.authenticate(keys.hs256(JwtKeys.claims("1", b -> b.expirationTime(Date.from(now.minusSeconds(10)))))).userId(),
                "10 s past exp is within the 30 s skew");
        assertEquals("not_yet_valid", refusal(a, keys.rs256(JwtKeys.claims("1", b -> b.notBeforeTime(Date.from(now.plusSeconds(120)))))));
        assertEquals(1, a.authenticate(keys.rs256(JwtKeys.claims("1", b -> b.notBeforeTime(Date.from(now.plusSeconds(10)))))).userId());
        assertEquals("bad_claims", refusal(a, keys.hs256(JwtKeys.claims("1", b -> b.expirationTime(null)))),
                "no exp: refused (require-exp)");
        // A clock that is 10 minutes ahead sees a fresh token as expired.
        JwtAuthenticator late = new JwtAuthenticator(new JwtConfig(List.of("HS256"), keys.secretFile.toString(), "",
                Duration.ofSeconds(30), true, "", "", "sub", "room"), Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10)));
        assertEquals("expired", refusal(late, keys.hs256(JwtKeys.claims("1", b -> { }))));
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefused() throws Exception {
        JwtAuthenticator a = all();
        byte[] otherSecret = "another secret of at least 32 bytes!".getBytes(StandardCharsets.UTF_8);
        assertEquals("bad_signature", refusal(a, JwtKeys.sign(new MACSigner(otherSecret), new JWSHeader(JWSAlgorithm.HS256),
                JwtKeys.claims("1", b -> { }))));
        var otherRsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        assertEquals("bad_signature", refusal(a, JwtKeys.sign(new RSASSASigner(otherRsa),
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(), JwtKeys.claims("1", b -> { }))),
                "same kid, other key");
        var otherEc = new ECKeyGenerator(Curve.P_256).keyID("ec-2").generate();
        assertEquals("unknown_key", refusal(a, JwtKeys.sign(new ECDSASigner(otherEc),
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec-2").build(), JwtKeys.claims("1", b -> { }))));
        // A valid token whose payload was changed after signing.
        String[] parts = keys.hs256(JwtKeys.claims("1", b -> { })).split("\\.");
        String forged = parts[0] + "." + Base64URL.encode(JwtKeys.claims("2", b -> { }).toString()) + "." + parts[2];
        assertEquals("bad_signature", refusal(a, forged));
    }

    @Test
    void unsignedTokensAndAlgorithmsNotConfiguredAreRefused() throws Exception {
        JwtAuthenticator a = all();
        String none = new PlainJWT(JwtKeys.claims("1", b -> { })).serialize();
        assertEquals("bad_algorithm", refusal(a, none));
        String[] signed = keys.hs256(JwtKeys.claims("1", b -> { })).split("\\.");
        String noneWithSignature = Base64URL.encode("{\"alg\":\"none\"}") + "." + signed[1] + "." + signed[2];
        assertEquals("malformed", refusal(a, noneWithSignature), "alg none with a signature is not even a JWT");
        String hs512 = JwtKeys.sign(new MACSigner(new byte[64]), new JWSHeader(JWSAlgorithm.HS512), JwtKeys.claims("1", b -> { }));
        assertEquals("bad_algorithm", refusal(a, hs512));

        // Algorithm confusion: HS256 keyed with the RSA public key, sent to a logic that
        // only accepts RS256, then to one that accepts both (whose HMAC secret is another).
        byte[] rsaPublic = keys.rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
        String confused = JwtKeys.sign(new MACSigner(rsaPublic),
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(), JwtKeys.claims("1", b -> { }));
        assertEquals("bad_algorithm", refusal(auth(List.of("RS256"), "", ""), confused));
        assertTrue(List.of("bad_signature", "unknown_key").contains(refusal(a, confused)));
        String rsaEncoded = JwtKeys.sign(new MACSigner(keys.rsa.toRSAPublicKey().getEncoded()),
                new JWSHeader(JWSAlgorithm.HS256), JwtKeys.claims("1", b -> { }));
        assertEquals("bad_signature", refusal(a, rsaEncoded));
    }

    @Test
    void garbageIsMalformed() {
        JwtAuthenticator a = all();
        for (String t : new String[] {"", "1000", "{\"data\": {}}", "a.b.c", "a.b", "...", "\"\"", "eyJhbGciOiJIUzI1NiJ9.e30",
                "x".repeat(100_000)}) {
            assertEquals("malformed", refusal(a, t), t.length() > 40 ? t.substring(0, 40) : t);
        }
    }

    @Test
    void claimsThatAreNotIdsAndIssuerOrAudienceMismatchesAreRefused() throws Exception {
        JwtAuthenticator a = all();
        assertEquals("bad_claims", refusal(a, keys.hs256(JwtKeys.claims("-1", b -> { }))));
        assertEquals("bad_claims", refusal(a, keys.hs256(JwtKeys.claims("alice", b -> { }))));
        assertEquals("bad_claims", refusal(a, keys.hs256(JwtKeys.claims(1.5, b -> { }))));
        assertEquals("bad_claims", refusal(a, keys.hs256(JwtKeys.claims("1", b -> b.claim("room", 1L << 40)))));

        JwtAuthenticator strict = auth(List.of("HS256"), "https://login.example", "goim");
        String good = keys.hs256(JwtKeys.claims("1", b -> b.issuer("https://login.example").audience(List.of("x", "goim"))));
        assertEquals(1, strict.authenticate(good).userId());
        assertEquals("bad_issuer", refusal(strict, keys.hs256(JwtKeys.claims("1", b -> b.issuer("https://evil").audience("goim")))));
        assertEquals("bad_audience", refusal(strict, keys.hs256(JwtKeys.claims("1", b -> b.issuer("https://login.example")))));
    }

    @Test
    void unusableKeysOrAlgorithmsStopLogicAtStart() throws Exception {
        Path shortSecret = Files.writeString(dir.resolve("short"), "too short\n");
        for (JwtConfig c : List.of(
                new JwtConfig(List.of("HS256"), shortSecret.toString(), "", Duration.ofSeconds(1), true, "", "", "sub", "room"),
                new JwtConfig(List.of("HS256"), dir.resolve("missing").toString(), "", Duration.ofSeconds(1), true, "", "", "sub", "room"),
                new JwtConfig(List.of("HS256"), "", "", Duration.ofSeconds(1), true, "", "", "sub", "room"),
                new JwtConfig(List.of("RS256"), "", shortSecret.toString(), Duration.ofSeconds(1), true, "", "", "sub", "room"),
                new JwtConfig(List.of("none"), "", "", Duration.ofSeconds(1), true, "", "", "sub", "room"),
                new JwtConfig(List.of(), "", "", Duration.ofSeconds(1), true, "", "", "sub", "room"),
                new JwtConfig(List.of("HS256"), keys.secretFile.toString(), "", Duration.ofSeconds(1), true, "", "", "", "room"))) {
            InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> new JwtAuthenticator(c, Clock.systemUTC()));
            assertTrue(e.getMessage().startsWith("logic.auth.jwt."), e.getMessage());
        }
    }
}
