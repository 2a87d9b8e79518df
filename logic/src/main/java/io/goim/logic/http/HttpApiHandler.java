package io.goim.logic.http;

import io.goim.logic.PushRefused;
import io.goim.protocol.RoomKeys;
import io.goim.logic.PushRefused;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * goim's HTTP push API. Parses and validates the request on the event loop, hands the
 * work to {@link PushApi} (which returns a future) and answers when the future
 * completes, never blocking the loop. {@link InOrderRequests} before it hands over one
 * request of a connection at a time and decides, from each answer's {@code Connection}
 * header, whether the connection reads on or closes. When {@link ApiKeys} are set,
 * every request must present one ({@code Authorization: Bearer <key>}) or is answered
 * 401. Every answer is JSON: {@code {"ret":1}} or {@code {"ret":code,"msg":"..."}} with
 * the HTTP status of {@link Ret}'s table; refusals are counted in {@link ApiCounters}.
 *
 * <p>Stateless; one instance serves every connection.
 */
@Sharable
public final class HttpApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpApiHandler.class);
    static final ObjectMapper JSON = new ObjectMapper();

    /** What the handler needs from logic. */
    public interface PushApi {
        CompletableFuture<Void> pushUsers(List<Long> userIds, byte[] msg);

        /** {@code room}: a room key ("1000" for v1's room 1000, "live://1000" for a typed room). */
        CompletableFuture<Void> pushRoom(String room, byte[] msg, boolean ensure);

        CompletableFuture<Void> pushAll(byte[] msg);

        /**
         * Makes every router forget comet {@code server}; unless {@code force}, fails with
         * {@link PushRefused} ({@code COMET_ALIVE}) when a router heard from it recently.
         */
        CompletableFuture<Void> delServer(int server, boolean force);

        /** Room key to online count, from the last snapshot. */
        Map<String, Integer> roomCounts();

        /** Comet server id to online count, from the last snapshot. */
        Map<Integer, Integer> serverCounts();

        /** goim v2: a push to the connections with these keys (subKeys or keys clients chose), as client operation {@code op}. */
        CompletableFuture<Void> pushKeys(List<String> keys, int op, byte[] msg);

        /** goim v2: {@link #pushUsers(List, byte[])} as client operation {@code op}. */
        CompletableFuture<Void> pushUsers(List<Long> userIds, int op, byte[] msg);

        /** goim v2: {@link #pushRoom(String, byte[], boolean)} as client operation {@code op} (v2 has no ensure). */
        CompletableFuture<Void> pushRoom(String room, int op, byte[] msg);

        /** goim v2: a broadcast as client operation {@code op}, at most {@code speed} connections per second (0: no limit). */
        CompletableFuture<Void> pushAll(int op, int speed, byte[] msg);

        /** goim v2: online totals over every comet. */
        CompletableFuture<OnlineTotal> onlineTotal();
    }

    /**
     * goim v2's {@code /goim/online/total}: client addresses and connections over every comet.
     *
     * @param ipCount distinct client addresses, summed over the comets (an address on two comets counts twice)
     * @param connCount connections
     */
    public record OnlineTotal(long ipCount, long connCount) {
    }

    private final PushApi api;
    private final ApiCounters counters;
    private final ApiKeys keys;
    /** goim v2's nodes API; null when not served. */
    private final NodesEndpoint nodes;

    public HttpApiHandler(PushApi api, ApiCounters counters) {
        this(api, counters, ApiKeys.none());
    }

    public HttpApiHandler(PushApi api, ApiCounters counters, ApiKeys keys) {
        this(api, counters, keys, null);
    }

    public HttpApiHandler(PushApi api, ApiCounters counters, ApiKeys keys, NodesEndpoint nodes) {
        this.api = api;
        this.counters = counters;
        this.keys = keys;
        this.nodes = nodes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof InOrderRequests.Refused r) {
            counters.rejected(r.error(), ctx, "a request with a body over the limit");
            respond(ctx, r.error().ret.status(), errorBody(r.error()), r.keepAlive());
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (req.decoderResult().isFailure()) {
            // Not HTTP we can trust (bad request line, header too long, bad chunk): answer, then close.
            ApiException e = ApiException.badRequest("malformed HTTP request: " + req.decoderResult().cause().getMessage());
            counters.rejected(e, ctx, "a malformed request");
            respond(ctx, e.ret.status(), errorBody(e), false);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (keys.required() && !keys.accepts(req.headers().get(HttpHeaderNames.AUTHORIZATION)) && !openToClients(req)) {
            ApiException e = unauthorized(req.headers().contains(HttpHeaderNames.AUTHORIZATION));
            counters.rejected(e, ctx, req.method() + " " + new QueryStringDecoder(req.uri()).path());
            respond(ctx, e.ret.status(), errorBody(e), keepAlive);
            return;
        }
        String request = req.method() + " " + req.uri();
        boolean v2 = V2Routes.handles(new QueryStringDecoder(req.uri()).rawPath());
        CompletableFuture<ObjectNode> result;
        try {
            result = route(req);
        } catch (RuntimeException e) {
            // ApiException, or work refused synchronously (a full send queue): still one answer.
            result = CompletableFuture.failedFuture(e);
        }
        // Completes on a session store or Kafka thread; the write is handed to the event loop.
        // The nodes API is read by browser clients (goim.js) from pages of other origins.
        boolean anyOrigin = openToClients(req);
        result.whenComplete((body, error) -> {
            if (error == null) {
                counters.countAccepted();
                FullHttpResponse res = response(HttpResponseStatus.OK, body, keepAlive);
                if (anyOrigin) {
                    res.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
                }
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            } else {
                ApiException e = toApiException(error);
                counters.rejected(e, ctx, request);
                if (v2) {
                    respond(ctx, HttpResponseStatus.OK, V2Routes.error(e), keepAlive); // goim v2 answers 200 with its code
                } else {
                    respond(ctx, e.ret.status(), errorBody(e), keepAlive);
                }
            }
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset by the peer or a bug below us: nothing sensible can be answered any more.
        counters.connectionError(ctx, cause);
        ctx.close();
    }

    private CompletableFuture<ObjectNode> route(FullHttpRequest req) {
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        String path;
        Map<String, List<String>> q;
        try {
            path = uri.path();
            q = uri.parameters();
        } catch (IllegalArgumentException e) {
            // A bad %-escape ("%zz", a cut "%4"): the client's mistake, not an internal error.
            throw ApiException.badRequest("malformed URI: " + e.getMessage());
        }
        if (V2Routes.handles(path)) {
            return V2Routes.route(path, req, q, api);
        }
        switch (path) {
            case "/1/push" -> {
                requirePost(req);
                long uid = longParam(q, "uid");
                return ok(api.pushUsers(List.of(uid), body(req)));
            }
            case "/1/pushs" -> {
                requirePost(req);
                return pushs(body(req));
            }
            case "/1/push/room" -> {
                requirePost(req);
                int rid = intParam(q, "rid");
                if (rid < 0) {
                    // -1 marks "no room" inside the cluster; it is not a room one can push to.
                    throw ApiException.badRequest("rid=" + rid + " (expected: a room id >= 0)");
                }
                boolean ensure = boolParam(q, "ensure");
                return ok(api.pushRoom(RoomKeys.ofV1(rid), body(req), ensure));
            }
            case "/1/push/all" -> {
                requirePost(req);
                return ok(api.pushAll(body(req)));
            }
            case "/1/server/del" -> {
                requirePost(req);
                int server = intParam(q, "server");
                if (server <= 0) {
                    throw ApiException.badRequest("server=" + server + " (expected: a comet id > 0)");
                }
                return ok(api.delServer(server, boolParam(q, "force")));
            }
            case "/1/count" -> {
                if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.POST)) {
                    throw methodNotAllowed(req);
                }
                return CompletableFuture.completedFuture(count(q));
            }
            default -> {
                if (nodes != null && NodesEndpoint.handles(path)) {
                    return CompletableFuture.completedFuture(nodes.answer(req.method(), path, q));
                }
                throw new ApiException(Ret.NOT_FOUND, "no such endpoint: " + path);
            }
        }
    }

    /** The nodes API's client endpoint needs no API key: mobile clients call it. */
    private boolean openToClients(FullHttpRequest req) {
        try {
            return nodes != null && NodesEndpoint.open(new QueryStringDecoder(req.uri()).path());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private CompletableFuture<ObjectNode> pushs(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiException.badRequest("body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("body is not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("body must be a JSON object {\"u\":[user ids],\"m\":message}");
        }
        JsonNode u = root.get("u");
        JsonNode m = root.get("m");
        if (u == null || !u.isArray() || u.isEmpty()) {
            throw ApiException.badRequest("\"u\" must be a non-empty array of user ids");
        }
        if (m == null) {
            throw ApiException.badRequest("\"m\" (the message) is missing");
        }
        List<Long> uids = new ArrayList<>(u.size());
        for (JsonNode n : u) {
            if (!n.canConvertToExactIntegral() || !n.canConvertToLong() || n.asLong() < 0) {
                throw ApiException.badRequest("\"u\" holds " + n + " (expected: user ids >= 0)");
            }
            uids.add(n.asLong());
        }
        byte[] msg;
        try {
            msg = JSON.writeValueAsBytes(m);
        } catch (IOException e) {
            throw ApiException.badRequest("\"m\" cannot be written back as JSON");
        }
        return ok(api.pushUsers(uids, msg));
    }

    private ObjectNode count(Map<String, List<String>> q) {
        String type = stringParam(q, "type");
        ArrayNode data = JSON.createArrayNode();
        switch (type) {
            case "room" -> api.roomCounts().forEach((room, n) -> {
                int id = RoomKeys.v1Id(room);
                if (id >= 0) { // v1 speaks room numbers: typed rooms are counted by the v2 API only
                    data.addObject().put("RoomId", id).put("Count", n);
                }
            });
            case "server" -> api.serverCounts().forEach((server, n) -> data.addObject().put("Server", server).put("Count", n));
            default -> throw ApiException.badRequest("type=" + type + " (expected: room or server)");
        }
        ObjectNode out = JSON.createObjectNode().put("ret", Ret.OK.code());
        out.set("data", data);
        return out;
    }

    private static CompletableFuture<ObjectNode> ok(CompletableFuture<Void> work) {
        return work.thenApply(v -> JSON.createObjectNode().put("ret", Ret.OK.code()));
    }

    private static void requirePost(FullHttpRequest req) {
        if (!req.method().equals(HttpMethod.POST)) {
            throw methodNotAllowed(req);
        }
    }

    static ApiException methodNotAllowed(FullHttpRequest req) {
        return new ApiException(Ret.METHOD_NOT_ALLOWED,
                "method " + req.method() + " not allowed on " + new QueryStringDecoder(req.uri()).path());
    }

    private static byte[] body(FullHttpRequest req) {
        return ByteBufUtil.getBytes(req.content());
    }

    static String stringParam(Map<String, List<String>> q, String name) {
        List<String> v = q.get(name);
        if (v == null || v.isEmpty() || v.get(0).isEmpty()) {
            throw ApiException.badRequest("missing parameter " + name);
        }
        return v.get(0);
    }

    private static long longParam(Map<String, List<String>> q, String name) {
        String s = stringParam(q, name);
        try {
            long v = Long.parseLong(s);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiException.badRequest(name + "=" + s + " (expected: an integer >= 0)");
    }

    /** {@code name} as a 32-bit integer, {@code absent} when the parameter is missing or empty. */
    static int optionalIntParam(Map<String, List<String>> q, String name, int absent) {
        List<String> v = q.get(name);
        if (v == null || v.isEmpty() || v.get(0).isEmpty()) {
            return absent;
        }
        return intParam(q, name);
    }

    static int intParam(Map<String, List<String>> q, String name) {
        String s = stringParam(q, name);
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + "=" + s + " (expected: a 32-bit integer)");
        }
    }

    private static boolean boolParam(Map<String, List<String>> q, String name) {
        List<String> v = q.get(name);
        if (v == null || v.isEmpty()) {
            return false;
        }
        return switch (v.get(0)) {
            case "true", "1" -> true;
            case "false", "0", "" -> false;
            default -> throw ApiException.badRequest(name + "=" + v.get(0) + " (expected: true or false)");
        };
    }

    /**
     * The one place a failure becomes an answer: the API's own refusals as they are, the
     * push service's {@link PushRefused} by its reason, anything else an internal error.
     */
    private static ApiException toApiException(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ApiException e) {
            return e;
        }
        if (cause instanceof PushRefused r) {
            return switch (r.reason()) {
                case COMET_ALIVE -> new ApiException(Ret.COMET_ALIVE, r.getMessage());
                case INVALID -> ApiException.badRequest(r.getMessage());
                case UNAVAILABLE -> new ApiException(Ret.UNAVAILABLE, "push not accepted, try again: " + r.getMessage());
            };
        }
        log.error("push failed", cause);
        return new ApiException(Ret.INTERNAL_ERR, "internal error: " + cause);
    }

    private static ApiException unauthorized(boolean presented) {
        return new ApiException(Ret.UNAUTHORIZED, presented
                ? "wrong API key (Authorization: Bearer <key>, one of logic.http.api-keys)"
                : "missing API key: send Authorization: Bearer <key>");
    }

    private static ObjectNode errorBody(ApiException e) {
        return JSON.createObjectNode().put("ret", e.ret.code()).put("msg", e.getMessage());
    }

    private static FullHttpResponse response(HttpResponseStatus status, ObjectNode body, boolean keepAlive) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        res.headers().set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        if (status.code() == HttpResponseStatus.UNAUTHORIZED.code()) {
            res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"goim push API\"");
        }
        return res;
    }

    /**
     * Writes a JSON response (from any thread). {@link InOrderRequests} then hands over the
     * connection's next request, or closes it after a {@code Connection: close} answer.
     */
    private static void respond(ChannelHandlerContext ctx, HttpResponseStatus status, ObjectNode body,
            boolean keepAlive) {
        ctx.writeAndFlush(response(status, body, keepAlive)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }
}
