package io.goim.logic;

/**
 * An authenticator plugged in by class name in tests: {@code "user:<id>:room:<room>"}
 * is accepted, anything else refused. Stands for a deployment's own token check.
 */
public final class TestAuthenticator implements Authenticator {
    private final boolean anonymousAllowed;

    /** Logic passes its config when the class has such a constructor. */
    public TestAuthenticator(LogicConfig config) {
        this.anonymousAllowed = config.allowAnonymous();
    }

    @Override
    public Identity authenticate(String token) throws AuthRefusedException {
        String[] p = token.split(":");
        if (p.length == 4 && p[0].equals("user") && p[2].equals("room")) {
            return new Identity(Long.parseLong(p[1]), p[3]);
        }
        if (token.equals("boom")) {
            throw new IllegalStateException("authenticator bug");
        }
        throw new AuthRefusedException("not a test token (anonymous allowed: " + anonymousAllowed + ")");
    }

    /** Has no usable constructor. */
    public static final class NoConstructor implements Authenticator {
        private NoConstructor() {
        }

        @Override
        public Identity authenticate(String token) {
            return new Identity(1, "1");
        }
    }
}
