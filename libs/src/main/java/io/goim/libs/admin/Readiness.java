package io.goim.libs.admin;

/**
 * Whether a service can do its job right now, and why not. {@code detail} names the
 * dependency that failed, for the operator reading {@code /ready}.
 */
public record Readiness(boolean ready, String detail) {
    public static Readiness ok() {
        return new Readiness(true, "ok");
    }

    public static Readiness notReady(String detail) {
        return new Readiness(false, detail);
    }
}
