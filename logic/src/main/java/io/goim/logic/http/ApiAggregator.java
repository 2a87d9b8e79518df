package io.goim.logic.http;

import io.netty.channel.ChannelFutureListener;
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
 * and answers a larger one with 413 and the API's JSON error:
 * <ul>
 *   <li>a keep-alive request: the answer goes out at once, the rest of its body is read
 *       and discarded (never buffered), and the connection serves the next request;
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
    private final ApiCounters counters;

    ApiAggregator(int maxBody, ApiCounters counters) {
        super(maxBody);
        this.maxBody = maxBody;
        this.counters = counters;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        boolean keepAlive = HttpUtil.isKeepAlive(oversized);
        counters.rejected(tooLarge(), ctx, "body over " + maxBody + " bytes");
        HttpApiHandler.write(ctx, tooLarge(), keepAlive).addListener(keepAlive
                ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object res = super.newContinueResponse(start, maxContentLength, pipeline);
        if (res instanceof HttpResponse r && r.status().equals(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE)) {
            ReferenceCountUtil.release(res);
            counters.rejected(tooLarge(), pipeline.firstContext(), "expected body over " + maxBody + " bytes");
            return HttpApiHandler.response(tooLarge(), HttpUtil.isKeepAlive(start));
        }
        if (res instanceof HttpResponse r && r.status().equals(HttpResponseStatus.EXPECTATION_FAILED)) {
            // An Expect other than 100-continue: Netty's bare 417 carries no goim JSON body.
            ReferenceCountUtil.release(res);
            ApiException e = new ApiException(HttpResponseStatus.EXPECTATION_FAILED, Ret.REQUEST_ERR,
                    "unsupported Expect header (expected: 100-continue)");
            counters.rejected(e, pipeline.firstContext(), "an unsupported Expect header");
            return HttpApiHandler.response(e, HttpUtil.isKeepAlive(start));
        }
        return res;
    }

    private ApiException tooLarge() {
        return new ApiException(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Ret.TOO_LARGE,
                "body larger than " + maxBody + " bytes (logic.http.max-body)");
    }
}
