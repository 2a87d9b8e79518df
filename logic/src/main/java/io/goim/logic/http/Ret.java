package io.goim.logic.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The answers of the HTTP API: each a {@code ret} code and the HTTP status it goes with.
 * goim clients test {@code ret == 1}; every other value comes with a {@code msg} (see
 * docs/http-api.md). One code is answered with two statuses, so it has two constants:
 * goim's RequestErr (400, or 417 for an unsupported {@code Expect}).
 */
public enum Ret {
    /** Accepted: written to Kafka and acknowledged. */
    OK(1, HttpResponseStatus.OK),
    /** Bad parameter or body. */
    REQUEST_ERR(65534, HttpResponseStatus.BAD_REQUEST),
    /** An {@code Expect} header other than {@code 100-continue}: goim's RequestErr. */
    EXPECTATION_FAILED(65534, HttpResponseStatus.EXPECTATION_FAILED),
    /** Wrong method. */
    METHOD_NOT_ALLOWED(65533, HttpResponseStatus.METHOD_NOT_ALLOWED),
    /** Body over the configured limit. */
    TOO_LARGE(65532, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE),
    /** Unknown path. */
    NOT_FOUND(65531, HttpResponseStatus.NOT_FOUND),
    /** Kafka or the session store unavailable or too slow: try again. */
    UNAVAILABLE(65530, HttpResponseStatus.SERVICE_UNAVAILABLE),
    /** No or a wrong API key, when {@code logic.http.api-keys} are set. */
    UNAUTHORIZED(65529, HttpResponseStatus.UNAUTHORIZED),
    /** {@code /1/server/del} of a comet heard from recently, without {@code force=1}. */
    COMET_ALIVE(65528, HttpResponseStatus.CONFLICT),
    /** Anything else went wrong; goim's InternalErr. */
    INTERNAL_ERR(65535, HttpResponseStatus.INTERNAL_SERVER_ERROR);

    private final int code;
    private final HttpResponseStatus status;

    Ret(int code, HttpResponseStatus status) {
        this.code = code;
        this.status = status;
    }

    /** The {@code ret} value of the JSON answer. */
    public int code() {
        return code;
    }

    /** The HTTP status answered with it (goim v2's routes answer 200 and carry the code only). */
    public HttpResponseStatus status() {
        return status;
    }
}
