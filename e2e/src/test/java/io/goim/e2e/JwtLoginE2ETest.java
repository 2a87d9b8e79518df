package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.goim.client.Backoff;
import io.goim.client.GoimClient;
import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed client tokens through the whole cluster: a TCP client logs in with an HS256
 * token issued for user 3001 and receives a push sent to that user; a token whose
 * payload was changed to another user after signing is refused (the comet closes the
 * connection, nothing is registered) and logic counts it as a bad signature.
 */
@ClusterTest
class JwtLoginE2ETest {
    @TempDir
    Path dir;

    private static String token(byte[] secret, long user) throws Exception {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(Long.toString(user))
                .claim("room", 1)
                .expirationTime(Date.from(Instant.now().plusSeconds(600)))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(secret));
        return jwt.serialize();
    }

    @Test
    void aSignedTokenLogsInAndGetsItsUsersPushesAForgedOneIsRefused(LocalCluster.Builder newCluster) throws Exception {
        // Hex, as `openssl rand -hex 32` makes it: raw random bytes ending in '\n' or '\r'
        // (one time in 128) lose that byte as the file's line end.
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        byte[] secret = java.util.HexFormat.of().formatHex(raw).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Path secretFile = Files.write(dir.resolve("jwt.secret"), secret);
        try (LocalCluster cluster = newCluster
                .logic("logic.auth.class", "io.goim.logic.JwtAuthenticator")
                .logic("logic.auth.jwt.secret-file", secretFile.toString())
                .start()) {
            ClientRecorder good = new ClientRecorder();
            try (GoimClient client = GoimClient.tcp("127.0.0.1", cluster.comet.tcpPort())
                    .token(token(secret, 3001)).listener(good).build()) {
                client.start().get(20, TimeUnit.SECONDS);
                assertEquals("{\"ret\":1}", cluster.post("/1/push?uid=3001", "{\"signed\":true}").body());
                assertEquals("5:{\"signed\":true}", good.pushes.poll(20, TimeUnit.SECONDS));

                // Same header and signature, payload rewritten to claim user 3002.
                String[] parts = token(secret, 3001).split("\\.");
                String forged = parts[0] + "." + Base64URL.encode(new JWTClaimsSet.Builder().subject("3002")
                        .expirationTime(Date.from(Instant.now().plusSeconds(600))).build().toString()) + "." + parts[2];
                ClientRecorder bad = new ClientRecorder();
                try (GoimClient intruder = GoimClient.tcp("127.0.0.1", cluster.comet.tcpPort())
                        .token(forged).backoff(new Backoff(Duration.ofSeconds(30), Duration.ofSeconds(30)))
                        .listener(bad).build()) {
                    intruder.start();
                    Await.until("the forged login is closed", Duration.ofSeconds(20), () -> bad.disconnects.get() >= 1);
                    assertFalse(intruder.isAuthenticated());
                    assertEquals(0, bad.auths.get());
                    assertEquals(1, cluster.comet.online(), "only the good client is registered");
                }
                AdminScrape.Metrics m = AdminScrape.metrics(cluster.logic.adminPort());
                assertTrue(m.value("goim_logic_auth_refused_total", "reason", "bad_signature") >= 1);

                assertEquals("{\"ret\":1}", cluster.post("/1/push?uid=3001", "still here").body());
                assertEquals("5:still here", good.pushes.poll(20, TimeUnit.SECONDS), "the good client is unaffected");
            }
        }
    }
}
