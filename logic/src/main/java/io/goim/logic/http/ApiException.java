package io.goim.logic.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/** A request the API refuses, with the status, ret code and message to answer with. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final HttpResponseStatus status;
    final int ret;

    ApiException(HttpResponseStatus status, int ret, String message) {
        super(message, null, false, false);
        this.status = status;
        this.ret = ret;
    }

    static ApiException badRequest(String message) {
        return new ApiException(HttpResponseStatus.BAD_REQUEST, Ret.REQUEST_ERR, message);
    }
}
