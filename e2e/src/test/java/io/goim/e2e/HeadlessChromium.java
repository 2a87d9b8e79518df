package io.goim.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real headless Chromium (Debian's {@code chromium} package) opened on one page and
 * driven over the DevTools protocol: {@link #evaluate} runs JavaScript in the page and
 * returns the result as text. The browser runs with its own temporary profile and is
 * killed, with every child process, on {@link #close()} — or by a JVM shutdown hook if
 * the test run is cut short before that.
 */
final class HeadlessChromium implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final Path profile;
    private final WebSocket devtools;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final Thread killer;

    /** The browser binary, or null when none is installed. */
    static String binary() {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    HeadlessChromium(String url) throws Exception {
        profile = Files.createTempDirectory("goim-chromium");
        process = new ProcessBuilder(binary(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", url)
                .redirectErrorStream(true)
                .redirectOutput(profile.resolve("chromium.log").toFile())
                .start();
        killer = new Thread(this::kill, "chromium-killer");
        Runtime.getRuntime().addShutdownHook(killer);
        try {
            devtools = connect(url);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private WebSocket connect(String url) throws Exception {
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String pageSocket = null;
        while (pageSocket == null) {
            if (System.nanoTime() > deadline || !process.isAlive()) {
                throw new IOException("chromium did not open its DevTools port; log: "
                        + (Files.exists(profile.resolve("chromium.log")) ? Files.readString(profile.resolve("chromium.log")) : ""));
            }
            if (Files.exists(portFile) && !Files.readString(portFile).isBlank()) {
                String port = Files.readAllLines(portFile).get(0).trim();
                JsonNode targets = JSON.readTree(HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                for (JsonNode t : targets) {
                    if ("page".equals(t.path("type").asText()) && t.path("url").asText().startsWith(url.substring(0, 20))) {
                        pageSocket = t.path("webSocketDebuggerUrl").asText();
                    }
                }
            }
            Thread.sleep(100);
        }
        return HTTP.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    try {
                        JsonNode msg = JSON.readTree(text.toString());
                        CompletableFuture<JsonNode> f = pending.remove(msg.path("id").asInt(-1));
                        if (f != null) {
                            f.complete(msg);
                        }
                    } catch (IOException ignored) {
                        // not a reply we wait for
                    }
                    text.setLength(0);
                }
                ws.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
    }

    /** Evaluates {@code expression} in the page; the result as text ("" for undefined). */
    String evaluate(String expression) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        devtools.sendText(JSON.writeValueAsString(Map.of("id", id, "method", "Runtime.evaluate",
                "params", Map.of("expression", expression, "returnByValue", true))), true).get(5, TimeUnit.SECONDS);
        JsonNode result = reply.get(10, TimeUnit.SECONDS).path("result").path("result");
        return result.path("value").isMissingNode() ? "" : result.path("value").asText();
    }

    /** Polls {@code expression} until it evaluates to {@code expected}. */
    void awaitValue(String expression, String expected, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            last = evaluate(expression);
            if (expected.equals(last)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("page: " + expression + " was " + last + ", expected " + expected);
    }

    /** Kills the browser and every process it started, and waits for it to exit. */
    private void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        if (devtools != null) {
            devtools.abort();
        }
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs (or ran) anyway
        }
        try (var paths = Files.walk(profile)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
