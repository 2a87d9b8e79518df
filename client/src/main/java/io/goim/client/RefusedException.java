package io.goim.client;

/**
 * The server answered a request with a refusal: {@code {"ret":<code>,"msg":"…"}}
 * (codes as logic's HTTP API: 65534 a bad request, 65530 try again later, 65527 rate
 * limited, 65526 too many in flight; docs/protocol.md).
 */
public final class RefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int ret;

    public RefusedException(int ret, String message) {
        super(message + " (ret " + ret + ")");
        this.ret = ret;
    }

    /** The server's {@code ret} code. */
    public int ret() {
        return ret;
    }
}
