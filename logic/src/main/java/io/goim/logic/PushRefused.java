package io.goim.logic;

/**
 * Why logic's push service did not do what was asked, in its own terms: what failed
 * underneath (a router's gRPC status, a Kafka error, a full send queue) stays behind it,
 * and only the HTTP layer turns a reason into a status and {@code ret}.
 */
public final class PushRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why. */
    public enum Reason {
        /** The session store or Kafka is unavailable or too slow, or sends are queued to the limit: try again. */
        UNAVAILABLE,
        /** The session store refused an argument of the request. */
        INVALID,
        /** {@code server del} of a comet the session store heard from recently; forcing overrides. */
        COMET_ALIVE
    }

    private final Reason reason;

    public PushRefused(Reason reason, String message, Throwable cause) {
        super(message, cause, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
