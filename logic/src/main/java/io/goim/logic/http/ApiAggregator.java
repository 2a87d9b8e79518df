package io.goim.logic.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpMessage;

/**
 * Collects a request into one {@code FullHttpRequest} up to the configured body limit,
 * and answers a larger one with 413 and the API's JSON error, then closes the connection
 * (the rest of the body is not read).
 */
final class ApiAggregator extends HttpObjectAggregator {
    private final int maxBody;

    ApiAggregator(int maxBody) {
        super(maxBody);
        this.maxBody = maxBody;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        HttpApiHandler.respond(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                HttpApiHandler.JSON.createObjectNode().put("ret", Ret.TOO_LARGE)
                        .put("msg", "body larger than " + maxBody + " bytes"), false);
    }
}
