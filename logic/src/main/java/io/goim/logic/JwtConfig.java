package io.goim.logic;

import io.goim.libs.config.Settings;
import java.time.Duration;
import java.util.List;

/**
 * The {@code logic.auth.jwt} section: how {@link JwtAuthenticator} checks signed client
 * tokens. Read always, used only when that authenticator is configured. Immutable.
 *
 * @param algorithms the only algorithms accepted (HS256, RS256, ES256); any other, and
 *     {@code none}, is refused
 * @param secretFile HS256: a file holding the shared secret
 * @param jwksFile RS256/ES256: a JWKS file with the public keys
 * @param clockSkew tolerance on {@code exp} and {@code nbf}
 * @param requireExp refuse tokens without {@code exp}
 * @param issuer when not empty, {@code iss} must equal it
 * @param audience when not empty, {@code aud} must contain it
 * @param userClaim the claim holding the user id
 * @param roomClaim the claim holding the room id (missing: no room)
 */
public record JwtConfig(List<String> algorithms, String secretFile, String jwksFile, Duration clockSkew,
        boolean requireExp, String issuer, String audience, String userClaim, String roomClaim) {

    static JwtConfig read(Settings jwt) {
        return new JwtConfig(
                jwt.strings("algorithms"),
                jwt.string("secret-file"),
                jwt.string("jwks-file"),
                jwt.positiveDuration("clock-skew"),
                jwt.bool("require-exp"),
                jwt.string("issuer"),
                jwt.string("audience"),
                jwt.string("user-claim"),
                jwt.string("room-claim"));
    }
}
