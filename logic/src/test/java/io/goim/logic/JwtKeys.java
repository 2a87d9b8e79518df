package io.goim.logic;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;

/**
 * Real keys generated for a test, and tokens signed with them: an HS256 secret (written to
 * a file, as logic reads it), an RSA and an EC P-256 key pair (their public halves written
 * to a JWKS file).
 */
final class JwtKeys {
    /**
     * 64 hex characters, as `openssl rand -hex 32` makes one: random raw bytes ended in '\n' or
     * '\r' one time in 128, which logic strips as the file's line end (then only 31 were left).
     */
    final byte[] secret;
    final RSAKey rsa;
    final ECKey ec;
    final Path secretFile;
    final Path jwksFile;

    JwtKeys(Path dir) throws JOSEException, IOException {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        secret = java.util.HexFormat.of().formatHex(raw).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        secretFile = Files.write(dir.resolve("jwt.secret"), secret);
        // JWKSet.toString() writes public keys only: what an operator would deploy.
        jwksFile = Files.writeString(dir.resolve("jwks.json"), new JWKSet(List.<JWK>of(rsa, ec)).toString());
    }

    /** Claims for user {@code sub} valid for the next 5 minutes; {@code more} adds or changes some. */
    static JWTClaimsSet claims(Object sub, Consumer<JWTClaimsSet.Builder> more) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .claim("sub", sub)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(300)));
        more.accept(b);
        return b.build();
    }

    String hs256(JWTClaimsSet claims) throws JOSEException {
        return sign(new MACSigner(secret), new JWSHeader(JWSAlgorithm.HS256), claims);
    }

    String rs256(JWTClaimsSet claims) throws JOSEException {
        return sign(new RSASSASigner(rsa), new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).build(), claims);
    }

    String es256(JWTClaimsSet claims) throws JOSEException {
        return sign(new ECDSASigner(ec), new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ec.getKeyID()).build(), claims);
    }

    static String sign(JWSSigner signer, JWSHeader header, JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(signer);
        return jwt.serialize();
    }
}
