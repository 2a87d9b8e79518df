package io.goim.logic.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.goim.protocol.Op;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * goim v2's HTTP API ({@code /goim/...}), with v2's parameter names and answers:
 * {@code {"code":0,"message":"","data":...}}, and for a refusal HTTP 200 with code -400 (the
 * request) or -500 (the cluster) and a message, as goim v2 answers. Underneath it is the
 * same push pipeline as v1's API ({@link HttpApiHandler.PushApi}); only parsing and answers
 * differ.
 *
 * <p>List parameters ({@code keys}, {@code mids}, {@code rooms}) may repeat
 * ({@code keys=a&keys=b}, as goim's clients send them) or be comma-separated.
 *
 * <p>Stateless.
 */
final class V2Routes {
    /** goim v2's codes. */
    static final int OK = 0;
    static final int REQUEST_ERR = -400;
    static final int SERVER_ERR = -500;
    /** Most keys or mids one push may name (the query string's size bounds it too). */
    static final int MAX_TARGETS = 10_000;

    private V2Routes() {
    }

    /** The {@code /goim/} paths but the nodes API's, which {@link NodesEndpoint} answers (with HTTP statuses for refusals). */
    static boolean handles(String path) {
        return path.startsWith("/goim/") && !NodesEndpoint.handles(path);
    }

    static CompletableFuture<ObjectNode> route(String path, FullHttpRequest req, Map<String, List<String>> q,
            HttpApiHandler.PushApi api) {
        switch (path) {
            case "/goim/push/keys" -> {
                requirePost(req);
                List<String> keys = list(q, "keys");
                return ok(api.pushKeys(keys, operation(q, false), body(req)));
            }
            case "/goim/push/mids" -> {
                requirePost(req);
                List<Long> mids = new ArrayList<>();
                for (String m : list(q, "mids")) {
                    mids.add(mid(m));
                }
                return ok(api.pushUsers(mids, operation(q, false), body(req)));
            }
            case "/goim/push/room" -> {
                requirePost(req);
                int op = operation(q, true);
                String room = V2Online.roomKey(HttpApiHandler.stringParam(q, "type"), HttpApiHandler.stringParam(q, "room"));
                return ok(api.pushRoom(room, op, body(req)));
            }
            case "/goim/online/room" -> {
                requireGet(req);
                String type = HttpApiHandler.stringParam(q, "type");
                return CompletableFuture.completedFuture(result(V2Online.rooms(api.roomCounts(), type, list(q, "rooms"))));
            }
            case "/goim/online/top" -> {
                requireGet(req);
                String type = HttpApiHandler.stringParam(q, "type");
                int limit = HttpApiHandler.intParam(q, "limit");
                if (limit <= 0) {
                    throw ApiException.badRequest("limit=" + limit + " (expected: a number of rooms > 0)");
                }
                return CompletableFuture.completedFuture(result(V2Online.top(api.roomCounts(), type, limit)));
            }
            case "/goim/push/all" -> {
                requirePost(req);
                int op = operation(q, true);
                int speed = HttpApiHandler.optionalIntParam(q, "speed", 0);
                if (speed < 0) {
                    throw ApiException.badRequest("speed=" + speed + " (expected: connections per second >= 0, 0 for no limit)");
                }
                return ok(api.pushAll(op, speed, body(req)));
            }
            case "/goim/online/total" -> {
                requireGet(req);
                return api.onlineTotal().thenApply(t -> {
                    ObjectNode data = HttpApiHandler.JSON.createObjectNode();
                    data.put("ip_count", t.ipCount()).put("conn_count", t.connCount());
                    return result(data);
                });
            }
            default -> throw new ApiException(Ret.NOT_FOUND, "no such endpoint: " + path);
        }
    }

    /** {@code {"code":0,"message":"","data":data}}; {@code data} null leaves it out, as goim does. */
    static ObjectNode result(com.fasterxml.jackson.databind.JsonNode data) {
        ObjectNode out = HttpApiHandler.JSON.createObjectNode().put("code", OK).put("message", "");
        if (data != null) {
            out.set("data", data);
        }
        return out;
    }

    /** A refusal in v2's shape: -400 for the request's fault, -500 for the cluster's. */
    static ObjectNode error(ApiException e) {
        int code = e.ret.status().code() < 500 ? REQUEST_ERR : SERVER_ERR;
        return HttpApiHandler.JSON.createObjectNode().put("code", code).put("message", e.getMessage());
    }

    private static CompletableFuture<ObjectNode> ok(CompletableFuture<Void> work) {
        return work.thenApply(v -> result(null));
    }

    /**
     * The client operation: 0 or absent means op 5 (v1's push) where goim lets it be omitted;
     * otherwise a push operation (5, or {@link Op#FIRST_BUSINESS} and up): a protocol code
     * would steer clients rather than reach them.
     */
    private static int operation(Map<String, List<String>> q, boolean required) {
        int op = required ? HttpApiHandler.intParam(q, "operation") : HttpApiHandler.optionalIntParam(q, "operation", 0);
        if (op == 0 && !required) {
            return Op.SEND_MSG_REPLY;
        }
        if (!Op.isPush(op)) {
            throw ApiException.badRequest("operation=" + op + " (expected: " + Op.SEND_MSG_REPLY + " or an operation >= "
                    + Op.FIRST_BUSINESS + "; lower codes belong to the protocol)");
        }
        return op;
    }

    static List<String> list(Map<String, List<String>> q, String name) {
        Set<String> out = new LinkedHashSet<>();
        for (String v : q.getOrDefault(name, List.of())) {
            for (String part : v.split(",")) {
                String p = part.strip();
                if (!p.isEmpty()) {
                    out.add(p);
                }
            }
        }
        if (out.isEmpty()) {
            throw ApiException.badRequest("missing parameter " + name);
        }
        if (out.size() > MAX_TARGETS) {
            throw ApiException.badRequest(name + ": " + out.size() + " values (expected: at most " + MAX_TARGETS + ")");
        }
        return List.copyOf(out);
    }

    private static long mid(String s) {
        try {
            long v = Long.parseLong(s);
            if (v >= 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw ApiException.badRequest("mids holds " + s + " (expected: user ids >= 0)");
    }

    private static void requirePost(FullHttpRequest req) {
        if (!req.method().equals(HttpMethod.POST)) {
            throw HttpApiHandler.methodNotAllowed(req);
        }
    }

    private static void requireGet(FullHttpRequest req) {
        if (!req.method().equals(HttpMethod.GET)) {
            throw HttpApiHandler.methodNotAllowed(req);
        }
    }

    private static byte[] body(FullHttpRequest req) {
        return ByteBufUtil.getBytes(req.content());
    }
}
