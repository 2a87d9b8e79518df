package io.goim.logic;

import io.goim.protocol.RoomKeys;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyType;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.goim.libs.config.InvalidConfigException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Signed client tokens (JWT, RFC 7519): the token is a JWS signed with HS256 (a shared
 * secret read from a file) or RS256/ES256 (public keys from a JWKS file). Signature and
 * key handling are nimbus-jose-jwt's; this class only chooses what is accepted:
 * <ul>
 *   <li>only the configured algorithms: an unsigned token ({@code alg: none}), an
 *       encrypted one or another algorithm is refused before any key is looked at, and
 *       a key is only ever used with its own type's algorithms (an RSA public key is
 *       never tried as an HMAC secret: the key selector matches key type to algorithm);</li>
 *   <li>{@code exp} (required unless configured otherwise) and {@code nbf}, with a small
 *       clock skew; {@code iss} and {@code aud} when configured;</li>
 *   <li>the user id is a claim (a number or a decimal string, {@code >= 0}); the room is
 *       another (same forms), and a token without it joins no room.</li>
 * </ul>
 * Over WebSocket the token arrives as the JSON text of the auth body, so a JSON string
 * ({@code "eyJ..."}) is unwrapped first.
 *
 * <p>goim v2 clients send a JSON object; with JWT it carries the token in {@code "token"}
 * beside v2's fields: {@code {"token":"eyJ...","platform":"web","accepts":[1000]}}. Identity
 * comes only from the signed claims: the user and room claims as for v1, and the key from a
 * {@code key} claim when the token has one (else the subKey). The body's {@code mid},
 * {@code key} and {@code room_id} are ignored, since a client must not pick another
 * user's key; {@code accepts} and {@code platform} only shape the client's own deliveries. Refusals carry a reason word that logic counts.
 *
 * <p>Selected with {@code logic.auth.class = "io.goim.logic.JwtAuthenticator"}; keys are
 * read once at start (an unusable file stops logic with a clear message). Thread-safe.
 */
public final class JwtAuthenticator implements Authenticator {
    private static final Set<JWSAlgorithm> SUPPORTED = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.RS256, JWSAlgorithm.ES256);
    /** Longest token looked at; a client's auth body is at most the comet's max body anyway. */
    private static final int MAX_TOKEN = 8192;

    private final JwtConfig config;
    private final Set<JWSAlgorithm> algorithms;
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final Clock clock;

    /** Reflective entry point for {@code logic.auth.class}. */
    public JwtAuthenticator(LogicConfig config) {
        this(config.jwt(), Clock.systemUTC());
    }

    JwtAuthenticator(JwtConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.algorithms = algorithms(config.algorithms());
        if (config.userClaim().isEmpty()) {
            throw new InvalidConfigException("logic.auth.jwt.user-claim: \"\" (expected: a claim name, e.g. sub)");
        }
        List<JWK> keys = new ArrayList<>();
        if (algorithms.contains(JWSAlgorithm.HS256)) {
            keys.add(new OctetSequenceKey.Builder(secret(config.secretFile())).build());
        }
        if (algorithms.contains(JWSAlgorithm.RS256) || algorithms.contains(JWSAlgorithm.ES256)) {
            keys.addAll(publicKeys(config.jwksFile()));
        }
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, new ImmutableJWKSet<>(new JWKSet(keys))));
        // Claims are checked below, where each refusal gets its own reason.
        processor.setJWTClaimsSetVerifier(null);
    }

    @Override
    public Identity authenticate(String token) throws AuthRefusedException {
        V2Jwt v2 = v2Body(token);
        JWTClaimsSet claims = verify(v2 == null ? unwrap(token) : v2.token());
        checkTimes(claims);
        if (!config.issuer().isEmpty() && !config.issuer().equals(claims.getIssuer())) {
            throw new AuthRefusedException("bad_issuer", "token issuer " + claims.getIssuer() + " (expected: "
                    + config.issuer() + ")");
        }
        if (!config.audience().isEmpty()
                && (claims.getAudience() == null || !claims.getAudience().contains(config.audience()))) {
            throw new AuthRefusedException("bad_audience", "token audience " + claims.getAudience()
                    + " (expected: one of them " + config.audience() + ")");
        }
        Object user = claims.getClaim(config.userClaim());
        if (user == null) {
            throw new AuthRefusedException("bad_claims", "token has no \"" + config.userClaim() + "\" claim");
        }
        long userId = number(user, Long.MAX_VALUE);
        if (userId < 0) {
            throw new AuthRefusedException("bad_claims", "\"" + config.userClaim() + "\": " + user
                    + " (expected: a user id >= 0)");
        }
        String room = NO_ROOM;
        Object r = config.roomClaim().isEmpty() ? null : claims.getClaim(config.roomClaim());
        if (r != null) {
            int id = (int) number(r, Integer.MAX_VALUE);
            if (id < 0) {
                throw new AuthRefusedException("bad_claims", "\"" + config.roomClaim() + "\": " + r
                        + " (expected: a room id >= 0)");
            }
            room = RoomKeys.ofV1(id);
        }
        if (v2 == null) {
            return new Identity(userId, room);
        }
        Object k = claims.getClaim("key");
        String key = k == null ? "" : k.toString();
        if (key.length() > MAX_KEY_LENGTH) {
            throw new AuthRefusedException("bad_claims", "\"key\" of " + key.length() + " chars (expected: at most "
                    + MAX_KEY_LENGTH + ")");
        }
        return new Identity(userId, room, new V2(key, v2.platform(), v2.accepts()));
    }

    /** A goim v2 body's token and own fields. */
    private record V2Jwt(String token, String platform, List<Integer> accepts) {
    }

    /** The v2 body {@code {"token":"eyJ...", "accepts":[...], ...}}, or null for a v1 token. */
    private static V2Jwt v2Body(String token) throws AuthRefusedException {
        String t = token.strip();
        if (t.isEmpty() || t.charAt(0) != '{') {
            return null;
        }
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = V2_JSON.readTree(t);
        } catch (IOException e) {
            throw new AuthRefusedException("malformed", "auth body is neither a token nor a JSON object");
        }
        if (root == null || !root.isObject() || !root.path("token").isTextual()) {
            throw new AuthRefusedException("malformed", "goim v2 auth body without \"token\" (a JWT)");
        }
        List<Integer> accepts = new ArrayList<>();
        com.fasterxml.jackson.databind.JsonNode a = root.path("accepts");
        for (com.fasterxml.jackson.databind.JsonNode op : a) {
            if (!op.canConvertToExactIntegral() || !op.canConvertToInt() || accepts.size() >= V2AuthBody.MAX_ACCEPTS) {
                throw new AuthRefusedException("malformed", "\"accepts\" (expected: at most " + V2AuthBody.MAX_ACCEPTS
                        + " 32-bit operation codes)");
            }
            accepts.add(op.asInt());
        }
        return new V2Jwt(root.get("token").asText(), root.path("platform").asText(""), accepts);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper V2_JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private JWTClaimsSet verify(String token) throws AuthRefusedException {
        if (token.length() > MAX_TOKEN) {
            throw new AuthRefusedException("malformed", "token of " + token.length() + " characters");
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw new AuthRefusedException("malformed", "token is not a JWT: " + e.getMessage());
        }
        if (!(jwt instanceof SignedJWT signed)) {
            // alg: none (a PlainJWT) or an encrypted token: never accepted.
            throw new AuthRefusedException("bad_algorithm", "token is not signed (alg " + jwt.getHeader().getAlgorithm() + ")");
        }
        JWSAlgorithm alg = signed.getHeader().getAlgorithm();
        if (!algorithms.contains(alg)) {
            throw new AuthRefusedException("bad_algorithm", "token signed with " + alg + " (expected: one of "
                    + algorithms + ")");
        }
        try {
            return processor.process(signed, null);
        } catch (BadJWSException e) {
            throw new AuthRefusedException("bad_signature", "token signature does not verify");
        } catch (BadJWTException e) {
            throw new AuthRefusedException("malformed", "token claims: " + e.getMessage());
        } catch (BadJOSEException e) {
            // No key of the token's type (and kid) is configured.
            throw new AuthRefusedException("unknown_key", "no key for the token: " + e.getMessage());
        } catch (JOSEException e) {
            throw new AuthRefusedException("bad_signature", "token signature cannot be checked: " + e.getMessage());
        }
    }

    private void checkTimes(JWTClaimsSet claims) throws AuthRefusedException {
        Date now = Date.from(clock.instant());
        long skew = config.clockSkew().toMillis();
        Date exp = claims.getExpirationTime();
        if (exp == null) {
            if (config.requireExp()) {
                throw new AuthRefusedException("bad_claims", "token has no \"exp\" (logic.auth.jwt.require-exp)");
            }
        } else if (now.getTime() - skew >= exp.getTime()) {
            throw new AuthRefusedException("expired", "token expired at " + exp.toInstant());
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.getTime() + skew < nbf.getTime()) {
            throw new AuthRefusedException("not_yet_valid", "token not valid before " + nbf.toInstant());
        }
    }

    /** A claim that is a whole number or a decimal string, in {@code [0, max]}; -1 otherwise. */
    private static long number(Object v, long max) {
        if (v instanceof Long || v instanceof Integer) {
            long n = ((Number) v).longValue();
            return n >= 0 && n <= max ? n : -1;
        }
        if (v instanceof String s && !s.isEmpty() && s.length() <= 19 && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            try {
                long n = Long.parseLong(s);
                return n <= max ? n : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    /** The token text, a JSON string's quotes removed (WebSocket clients send one). */
    private static String unwrap(String token) {
        String t = token.strip();
        if (t.length() >= 2 && t.charAt(0) == '"' && t.charAt(t.length() - 1) == '"') {
            t = t.substring(1, t.length() - 1).strip();
        }
        return t;
    }

    private static Set<JWSAlgorithm> algorithms(List<String> names) {
        if (names.isEmpty()) {
            throw new InvalidConfigException("logic.auth.jwt.algorithms: [] (expected: one or more of HS256, RS256, ES256)");
        }
        Set<JWSAlgorithm> out = new LinkedHashSet<>();
        for (String name : names) {
            JWSAlgorithm alg = JWSAlgorithm.parse(name);
            if (!SUPPORTED.contains(alg)) {
                throw new InvalidConfigException("logic.auth.jwt.algorithms: " + name + " (expected: HS256, RS256 or ES256)");
            }
            out.add(alg);
        }
        return Set.copyOf(out);
    }

    /** The HS256 secret: the file's bytes, a trailing newline dropped; at least 256 bits, as RFC 7518 requires. */
    private static byte[] secret(String file) {
        if (file.isEmpty()) {
            throw new InvalidConfigException("logic.auth.jwt.secret-file: \"\" (expected: a file holding the HS256 secret)");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(Path.of(file));
        } catch (IOException e) {
            throw new InvalidConfigException("logic.auth.jwt.secret-file: " + file + ": cannot read it: " + e);
        }
        int n = bytes.length;
        while (n > 0 && (bytes[n - 1] == '\n' || bytes[n - 1] == '\r')) {
            n--;
        }
        if (n < 32) {
            throw new InvalidConfigException("logic.auth.jwt.secret-file: " + file + " holds " + n
                    + " bytes (expected: at least 32 for HS256)");
        }
        return java.util.Arrays.copyOf(bytes, n);
    }

    /** The RSA and EC keys of a JWKS file, public parts only. */
    private static List<JWK> publicKeys(String file) {
        if (file.isEmpty()) {
            throw new InvalidConfigException("logic.auth.jwt.jwks-file: \"\" (expected: a JWKS file for RS256/ES256)");
        }
        JWKSet set;
        try {
            set = JWKSet.load(new File(file));
        } catch (IOException | ParseException e) {
            throw new InvalidConfigException("logic.auth.jwt.jwks-file: " + file + ": not a readable JWKS: " + e.getMessage());
        }
        List<JWK> keys = new ArrayList<>();
        for (JWK k : set.getKeys()) {
            if (k.getKeyType().equals(KeyType.RSA) || k.getKeyType().equals(KeyType.EC)) {
                keys.add(k.toPublicJWK());
            }
        }
        if (keys.isEmpty()) {
            throw new InvalidConfigException("logic.auth.jwt.jwks-file: " + file + " has no RSA or EC key");
        }
        return keys;
    }
}
