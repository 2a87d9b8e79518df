package io.goim.bench.scaleout;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;

/**
 * Signed login tokens (HS256, logic's JwtAuthenticator) for the suite's clients: goim's
 * default authenticator puts every user in room 1, a token's {@code room} claim puts a
 * client in the room the suite chose (no claim: in no room). The secret is written to a
 * file logic reads ({@code logic.auth.jwt.secret-file}); hex, as {@code openssl rand -hex 32}.
 */
final class Tokens {
    private final byte[] secret;
    final Path secretFile;

    Tokens(Path dir) throws IOException {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        secret = HexFormat.of().formatHex(raw).getBytes(StandardCharsets.US_ASCII);
        Files.createDirectories(dir);
        secretFile = Files.write(dir.resolve("jwt.secret"), secret);
    }

    /** A token for {@code uid} in {@code room} (negative: no room), valid for a day. */
    String token(long uid, long room) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(Long.toString(uid))
                .expirationTime(Date.from(Instant.now().plusSeconds(86_400)));
        if (room >= 0) {
            claims.claim("room", room);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(new MACSigner(secret));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
