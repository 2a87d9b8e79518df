package io.goim.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Asks logic which comets to connect to: {@code GET <logic>/goim/nodes/weighted} (goim v2's
 * nodes API, docs/http-api.md), least loaded first. From our logic's {@code comets} (each
 * comet's own addresses for the transport); from a plain goim v2 logic, its {@code nodes}
 * hosts with {@code tcp_port} / {@code ws_port} / {@code wss_port}.
 *
 * <p>Thread-safe; the request runs on the JDK HTTP client's threads, never on an event loop.
 */
public final class NodesLookup {
    /** Which of a comet's addresses the client can use. */
    public enum Kind {
        TCP("tcp", "tcp_port", false), TLS_TCP("tls_tcp", null, false), WS("websocket", "ws_port", true),
        WSS("wss", "wss_port", true);

        final String field;
        final String portField;
        final boolean web;

        Kind(String field, String portField, boolean web) {
            this.field = field;
            this.portField = portField;
            this.web = web;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http;
    private final URI uri;
    private final Duration timeout;
    private final Kind kind;

    /** @param logic logic's HTTP base, e.g. {@code http://127.0.0.1:7172} */
    public NodesLookup(URI logic, Kind kind, Duration timeout) {
        String base = logic.toString().replaceAll("/+$", "");
        this.uri = URI.create(base + "/goim/nodes/weighted" + (kind.web ? "?platform=web" : ""));
        this.kind = kind;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** The comets' addresses ("host:port"), best first; fails when logic cannot be asked or answers no list. */
    public CompletableFuture<List<String>> lookup() {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()).thenApply(r -> {
            if (r.statusCode() != 200) {
                throw new IllegalStateException(uri + " answered HTTP " + r.statusCode());
            }
            try {
                return addresses(JSON.readTree(r.body()), kind);
            } catch (IOException e) {
                throw new IllegalStateException(uri + " answered no JSON: " + e.getMessage(), e);
            }
        });
    }

    /** The addresses in a nodes answer ({@code {"code":0,"data":{...}}}) for {@code kind}. */
    static List<String> addresses(JsonNode answer, Kind kind) {
        if (answer.path("code").asInt(-1) != 0) {
            throw new IllegalStateException("nodes API refused: " + answer);
        }
        JsonNode data = answer.path("data");
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode comet : data.path("comets")) {
            for (JsonNode a : comet.path(kind.field)) {
                out.add(a.asText());
            }
        }
        if (!data.has("comets") && kind.portField != null && data.path(kind.portField).asInt() > 0) {
            int port = data.path(kind.portField).asInt();
            for (JsonNode host : data.path("nodes")) {
                out.add(host.asText() + ":" + port);
            }
        }
        return new ArrayList<>(out);
    }
}
