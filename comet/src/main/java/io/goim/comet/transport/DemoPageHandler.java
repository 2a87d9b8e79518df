package io.goim.comet.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Serves the browser demo on the WebSocket port, in front of the WebSocket handshake:
 * <pre>
 *  GET /, /index.html  → web/index.html  (text/html)
 *  GET /goim.js        → web/goim.js     (text/javascript)
 *  /sub, /sub?...      → passed on to the WebSocket handshake
 *  anything else       → 404 (a method other than GET or HEAD: 405)
 * </pre>
 * The files are read from the classpath folder {@code web/} once, when comet starts; a
 * request is answered from a fixed table of paths, never from a file system lookup, so
 * {@code ..} or encoded paths cannot reach anything else. Each answer closes its
 * connection. After the upgrade, WebSocket frames pass through untouched.
 *
 * <p>Sharable: immutable after construction.
 */
@ChannelHandler.Sharable
final class DemoPageHandler extends ChannelInboundHandlerAdapter {
    /** A file's bytes and content type. */
    private record Page(byte[] body, String contentType) { }

    private final Map<String, Page> pages;

    /** Loads the demo page and its script from the classpath; fails if either is missing. */
    DemoPageHandler() {
        Page index = new Page(resource("web/index.html"), "text/html; charset=utf-8");
        pages = Map.of(
                "/", index,
                "/index.html", index,
                "/goim.js", new Page(resource("web/goim.js"), "text/javascript; charset=utf-8"));
    }

    private static byte[] resource(String name) {
        try (InputStream in = DemoPageHandler.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg); // WebSocket frames after the upgrade
            return;
        }
        String path = new QueryStringDecoder(request.uri()).rawPath();
        if (path.startsWith(WebSocketChannelInitializer.PATH)) {
            ctx.fireChannelRead(msg); // the handshake handler owns it now
            return;
        }
        try {
            answer(ctx, request, path);
        } finally {
            ReferenceCountUtil.release(request);
        }
    }

    private void answer(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
        Page page = pages.get(path);
        boolean head = HttpMethod.HEAD.equals(request.method());
        FullHttpResponse response;
        if (page == null) {
            response = text(request, HttpResponseStatus.NOT_FOUND, "not found: " + path + "\n");
        } else if (!head && !HttpMethod.GET.equals(request.method())) {
            response = text(request, HttpResponseStatus.METHOD_NOT_ALLOWED, request.method() + " (expected: GET)\n");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        } else {
            response = new DefaultFullHttpResponse(request.protocolVersion(), HttpResponseStatus.OK,
                    head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(page.body()));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, page.contentType())
                    .set(HttpHeaderNames.CONTENT_LENGTH, page.body().length)
                    .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        }
        // One request per connection: this port is for WebSocket sessions, and an idle
        // keep-alive connection would sit in auth until the handshake timeout closed it.
        // ctx.close(), not channel().close(): the WebSocket handler behind this one would
        // answer a channel close with a close frame, which means nothing on plain HTTP.
        HttpUtil.setKeepAlive(response, false);
        ctx.writeAndFlush(response).addListener(f -> ctx.close());
    }

    private static FullHttpResponse text(FullHttpRequest request, HttpResponseStatus status, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        return response;
    }
}
