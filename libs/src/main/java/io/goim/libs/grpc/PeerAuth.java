package io.goim.libs.grpc;

import io.goim.libs.config.Settings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How a service proves itself to its gRPC peers and checks them: the {@code peer-auth}
 * section every service has, applied both to the gRPC server it serves (if any) and to
 * every channel it opens to another service.
 *
 * <pre>
 * peer-auth {
 *   secret = ""          # or secret-file = "/etc/goim/peer-secret"
 *   secret-file = ""
 *   tls { cert-file = "", key-file = "", ca-file = "", server-name = "" }
 * }
 * </pre>
 *
 * <p>Either, both or neither may be on: with neither (the default) internal gRPC is open
 * to whoever reaches its port, which the default bind address (127.0.0.1) limits to this
 * host. Immutable.
 *
 * @param secret the shared secret every call carries and every server checks, or null
 * @param tls mutual TLS for servers and channels, or null
 */
public record PeerAuth(String secret, PeerTls tls) {
    /** No authentication: plaintext, no secret (tests, benchmarks, one host on loopback). */
    public static final PeerAuth NONE = new PeerAuth(null, null);

    /** Shortest secret accepted: a guessable secret is no protection. */
    static final int MIN_SECRET_LENGTH = 16;

    public PeerAuth {
        if (secret != null) {
            checkSecret("secret", secret);
        }
    }

    public boolean hasSecret() {
        return secret != null;
    }

    public boolean hasTls() {
        return tls != null;
    }

    /** Reads {@code <service>.peer-auth} from the service's settings. */
    public static PeerAuth read(Settings service) {
        Settings s = service.section("peer-auth");
        String inline = s.string("secret");
        String file = s.string("secret-file");
        if (!inline.isEmpty() && !file.isEmpty()) {
            throw s.invalid("secret-file", file, "empty when secret is set: one or the other");
        }
        String secret = null;
        if (!inline.isEmpty()) {
            secret = inline;
            validate(s, "secret", "(the configured value)", secret);
        } else if (!file.isEmpty()) {
            try {
                // A trailing newline, as an editor or `echo` leaves it, is not part of the secret.
                secret = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw s.invalid("secret-file", file, "a readable file (" + e + ")");
            }
            validate(s, "secret-file", file, secret);
        }
        return new PeerAuth(secret, PeerTls.read(s.section("tls")));
    }

    private static void validate(Settings s, String key, String shown, String secret) {
        try {
            checkSecret(key, secret);
        } catch (IllegalArgumentException e) {
            throw s.invalid(key, shown, e.getMessage());
        }
    }

    /** Printable ASCII without spaces (it travels as a gRPC metadata value), at least 16 characters. */
    private static void checkSecret(String what, String secret) {
        if (secret.length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("a secret of at least " + MIN_SECRET_LENGTH + " characters");
        }
        for (int i = 0; i < secret.length(); i++) {
            char c = secret.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException("printable ASCII without spaces, e.g. from `openssl rand -hex 32`");
            }
        }
    }

    /** What is on, for the start-up log line (never the secret itself). */
    public String describe() {
        if (secret == null && tls == null) {
            return "none";
        }
        return (secret != null ? "shared secret" : "") + (secret != null && tls != null ? " + " : "")
                + (tls != null ? "mutual TLS" : "");
    }

    @Override
    public String toString() {
        return "PeerAuth[" + describe() + "]";
    }
}
