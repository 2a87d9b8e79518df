package io.goim.logic.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * Collects a request into one {@code FullHttpRequest} up to the configured body limit,
 * and refuses a larger one with 413 and the API's JSON error. The refusal is passed on
 * as an {@link InOrderRequests.Refused} in the request's place, so it is answered in its
 * turn among pipelined requests, as soon as the requests before it are:
 * <ul>
 *   <li>a keep-alive request: the rest of its body is read and discarded (never
 *       buffered), and the connection serves the next request;
 *   <li>otherwise the connection closes after the answer;
 *   <li>{@code Expect: 100-continue} with a too large {@code Content-Length}: the same
 *       JSON 413 instead of Netty's empty one, and the body is never sent;</li>
 *   <li>any other {@code Expect}: a JSON 417 instead of Netty's empty one.
 * </ul>
 * The aggregator releases the oversized message and every discarded chunk itself.
 *
 * <p>One instance per connection, confined to its event loop.
 */
final class ApiAggregator extends HttpObjectAggregator {
    private final int maxBody;

    ApiAggregator(int maxBody) {
        super(maxBody);
        this.maxBody = maxBody;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ctx.fireChannelRead(new InOrderRequests.Refused(tooLarge(), HttpUtil.isKeepAlive(oversized)));
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        // super also resets the decoder (HttpExpectationFailedEvent): the body will not come.
        Object res = super.newContinueResponse(start, maxContentLength, pipeline);
        if (res instanceof HttpResponse r && r.status().equals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)) {
            // No answer from here: without a continue response the aggregator calls
            // handleOversizedMessage, which answers in the request's turn.
            ReferenceCountUtil.release(res);
            return null;
        }
        if (res instanceof HttpResponse r && r.status().equals(HttpResponseStatus.EXPECTATION_FAILED)) {
            // An Expect other than 100-continue: Netty's bare 417 carries no goim JSON body.
            // Answered in its turn like a 413, and the connection closes after it (the
            // decoder was reset: what follows on the wire is not a request we can read).
            ReferenceCountUtil.release(res);
            ApiException e = new ApiException(Ret.EXPECTATION_FAILED,
                    "unsupported Expect header (expected: 100-continue)");
            pipeline.context(this).fireChannelRead(new InOrderRequests.Refused(e, false));
            return null;
        }
        return res;
    }

    private ApiException tooLarge() {
        return new ApiException(Ret.TOO_LARGE,
                "body larger than " + maxBody + " bytes (logic.http.max-body)");
    }
}
