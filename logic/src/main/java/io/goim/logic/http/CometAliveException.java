package io.goim.logic.http;

/**
 * {@code /1/server/del} was refused because a router heard from the comet recently (a
 * renew or a login): it looks alive, and forgetting it would make its users unreachable
 * until its next renew. Answered 409 with {@link Ret#COMET_ALIVE}; {@code force=1}
 * overrides.
 */
public final class CometAliveException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CometAliveException(String message) {
        super(message, null, false, false);
    }
}
