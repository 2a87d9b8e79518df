package io.goim.logic.http;

/**
 * The {@code ret} codes of the HTTP API. goim clients test {@code ret == 1}; every other
 * value comes with a {@code msg} and an HTTP status (see docs/http-api.md).
 */
public final class Ret {
    /** Accepted: written to Kafka and acknowledged. */
    public static final int OK = 1;
    /** Bad parameter or body (HTTP 400). */
    public static final int REQUEST_ERR = 65534;
    /** Wrong method (HTTP 405). */
    public static final int METHOD_NOT_ALLOWED = 65533;
    /** Body over the configured limit (HTTP 413). */
    public static final int TOO_LARGE = 65532;
    /** Unknown path (HTTP 404). */
    public static final int NOT_FOUND = 65531;
    /** Kafka or a router unavailable or too slow (HTTP 503). */
    public static final int UNAVAILABLE = 65530;
    /** No or a wrong API key, when {@code logic.http.api-keys} are set (HTTP 401). */
    public static final int UNAUTHORIZED = 65529;
    /** {@code /1/server/del} of a comet a router heard from recently, without {@code force=1} (HTTP 409). */
    public static final int COMET_ALIVE = 65528;
    /** Anything else went wrong (HTTP 500); goim's InternalErr. */
    public static final int INTERNAL_ERR = 65535;

    private Ret() {
    }
}
