package io.goim.libs.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

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

    /** Ready when {@code call} (a ping to {@code peer}) succeeds; otherwise names the peer and the error. */
    public static CompletableFuture<Readiness> ofCall(String peer, CompletableFuture<?> call) {
        return call.handle((r, e) -> e == null ? ok() : notReady(peer + ": " + rootCause(e)));
    }

    /** Ready when every check is; otherwise the details of those that are not. */
    public static CompletableFuture<Readiness> all(List<CompletableFuture<Readiness>> checks) {
        return combine(checks, true);
    }

    /** Ready when at least one check is (or there are none); otherwise the details of all. */
    public static CompletableFuture<Readiness> any(List<CompletableFuture<Readiness>> checks) {
        return combine(checks, false);
    }

    private static CompletableFuture<Readiness> combine(List<CompletableFuture<Readiness>> checks, boolean all) {
        return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<String> failed = new ArrayList<>();
            for (CompletableFuture<Readiness> c : checks) {
                Readiness r = c.join();
                if (!r.ready()) {
                    failed.add(r.detail());
                }
            }
            boolean ready = all ? failed.isEmpty() : failed.size() < checks.size() || checks.isEmpty();
            return ready ? ok() : notReady(String.join("; ", failed));
        });
    }

    /** The innermost cause's type and message, short enough for a {@code /ready} body. */
    static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " " + t.getMessage());
    }
}
