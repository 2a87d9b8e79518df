package io.goim.logic.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The push API's keys ({@code logic.http.api-keys}), kept as SHA-256 digests only: the
 * configuration never holds a key itself. A request presents {@code Authorization: Bearer
 * <key>}; the key is hashed once and its digest compared with every configured digest in
 * constant time ({@link MessageDigest#isEqual}), all of them, so the time taken says
 * nothing about which digest came closest. No keys configured means the API is open.
 *
 * <p>Immutable and thread-safe (each thread hashes with its own digest).
 */
public final class ApiKeys {
    private static final String PREFIX = "sha256:";
    private static final String BEARER = "Bearer ";
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(ApiKeys::sha256);

    private final byte[][] digests;

    private ApiKeys(byte[][] digests) {
        this.digests = digests;
    }

    /** The open API: every request is accepted. */
    public static ApiKeys none() {
        return new ApiKeys(new byte[0][]);
    }

    /**
     * Keys from their configured form, {@code "sha256:<64 hex digits>"} each (the SHA-256
     * of the key's UTF-8 bytes, e.g. {@code printf %s "$KEY" | sha256sum}).
     *
     * @throws IllegalArgumentException naming the entry that is not of that form
     */
    public static ApiKeys of(List<String> hashed) {
        byte[][] digests = new byte[hashed.size()][];
        for (int i = 0; i < digests.length; i++) {
            String h = hashed.get(i).trim();
            if (!h.regionMatches(true, 0, PREFIX, 0, PREFIX.length()) || h.length() != PREFIX.length() + 64) {
                throw new IllegalArgumentException("entry " + (i + 1) + " is not \"sha256:<64 hex digits>\"");
            }
            try {
                digests[i] = HexFormat.of().parseHex(h, PREFIX.length(), h.length());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("entry " + (i + 1) + " is not \"sha256:<64 hex digits>\"");
            }
        }
        return new ApiKeys(digests);
    }

    /** True when requests must present a key. */
    public boolean required() {
        return digests.length > 0;
    }

    /** True when {@code authorization} (the header's value, or null) is {@code Bearer <a configured key>}. */
    boolean accepts(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        MessageDigest md = SHA256.get();
        md.reset();
        byte[] presented = md.digest(authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8));
        boolean match = false;
        for (byte[] d : digests) {
            match |= MessageDigest.isEqual(d, presented);
        }
        return match;
    }

    /** The configured form of {@code key}: {@code "sha256:" + hex(SHA-256(UTF-8 bytes))}. */
    public static String hash(String key) {
        return PREFIX + HexFormat.of().formatHex(sha256().digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
