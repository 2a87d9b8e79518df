package io.goim.comet.transport;

import io.goim.comet.CometParts;
import io.goim.comet.TestComets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The demo page and its script, served on the WebSocket port by the production pipeline. */
class DemoPageHandlerTest {
    private CometParts comet;

    @BeforeEach
    void setUp() {
        comet = TestComets.context(TestComets.config(Map.of()));
    }

    @AfterEach
    void tearDown() throws Exception {
        TestComets.close(comet);
    }

    /** Sends one raw HTTP/1.1 request through comet's WebSocket pipeline; the raw response. */
    private String request(String requestLine, String... headers) {
        EmbeddedChannel ch = new EmbeddedChannel(comet.websocket(null));
        ch.freezeTime();
        StringBuilder req = new StringBuilder(requestLine).append("\r\nHost: localhost\r\n");
        for (String h : headers) {
            req.append(h).append("\r\n");
        }
        req.append("\r\n");
        ch.writeInbound(Unpooled.copiedBuffer(req, StandardCharsets.US_ASCII));
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            out.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        assertFalse(ch.isOpen(), "each answer closes its connection");
        ch.finishAndReleaseAll();
        return out.toString();
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void rootServesTheDemoPageAsHtml() {
        String r = request("GET /?uid=777&autoconnect=1 HTTP/1.1");
        assertTrue(r.startsWith("HTTP/1.1 200 OK"), r);
        assertTrue(r.contains("content-type: text/html; charset=utf-8"), r);
        assertTrue(body(r).contains("<script src=\"goim.js\"></script>"), r);
        assertTrue(r.contains("content-length: " + body(r).getBytes(StandardCharsets.UTF_8).length), r);
    }

    @Test
    void indexHtmlIsTheSamePage() {
        assertEquals(body(request("GET / HTTP/1.1")), body(request("GET /index.html HTTP/1.1")));
    }

    @Test
    void scriptIsServedAsJavaScript() {
        String r = request("GET /goim.js HTTP/1.1");
        assertTrue(r.startsWith("HTTP/1.1 200 OK"), r);
        assertTrue(r.contains("content-type: text/javascript; charset=utf-8"), r);
        assertTrue(body(r).contains("GoimClient"), r);
    }

    @Test
    void headAnswersHeadersWithoutBody() {
        String r = request("HEAD /goim.js HTTP/1.1");
        assertTrue(r.startsWith("HTTP/1.1 200 OK"), r);
        assertEquals("", body(r));
    }

    @Test
    void unknownPathsAreNotFound() {
        for (String path : new String[] {"/favicon.ico", "/web/goim.js", "/reference.conf"}) {
            assertTrue(request("GET " + path + " HTTP/1.1").startsWith("HTTP/1.1 404 Not Found"), path);
        }
    }

    @Test
    void traversalPathsReachNothing() {
        for (String path : new String[] {"/../reference.conf", "/%2e%2e/logback.xml", "/goim.js/../../reference.conf",
                "/..%2fweb%2findex.html", "//etc/passwd"}) {
            String r = request("GET " + path + " HTTP/1.1");
            assertTrue(r.startsWith("HTTP/1.1 404 Not Found"), path + ": " + r);
        }
    }

    @Test
    void otherMethodsAreNotAllowed() {
        String r = request("POST / HTTP/1.1", "Content-Length: 0");
        assertTrue(r.startsWith("HTTP/1.1 405 Method Not Allowed"), r);
        assertTrue(r.contains("allow: GET, HEAD"), r);
    }

    @Test
    void subIsStillTheWebSocketEndpoint() {
        EmbeddedChannel ch = new EmbeddedChannel(comet.websocket(null));
        ch.freezeTime();
        ch.writeInbound(Unpooled.copiedBuffer("GET /sub HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n", StandardCharsets.US_ASCII));
        ByteBuf b = ch.readOutbound();
        String r = b.toString(StandardCharsets.US_ASCII);
        b.release();
        assertTrue(r.startsWith("HTTP/1.1 101 Switching Protocols"), r);
        assertTrue(r.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), r);
        assertTrue(ch.isOpen());
        ch.finishAndReleaseAll();
    }
}
