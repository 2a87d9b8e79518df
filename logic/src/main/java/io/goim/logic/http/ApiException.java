package io.goim.logic.http;

/** A request the API refuses, with the answer ({@link Ret}: ret code and HTTP status) and message. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final Ret ret;

    ApiException(Ret ret, String message) {
        super(message, null, false, false);
        this.ret = ret;
    }

    static ApiException badRequest(String message) {
        return new ApiException(Ret.REQUEST_ERR, message);
    }
}
