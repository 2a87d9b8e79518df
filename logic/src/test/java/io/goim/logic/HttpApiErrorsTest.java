package io.goim.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.goim.libs.testing.RawHttp;
import io.goim.logic.http.Ret;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every refusal of the HTTP API: status, {@code {"ret":code,"msg":...}} body, counter,
 * and what happens to the connection. None of these requests reaches Kafka, so logic
 * runs here without a broker.
 */
class HttpApiErrorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 64 * 1024;
    private static LogicHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = new LogicHarness(1, false, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    private static void assertRefused(int status, Ret ret, String msgPart, int actualStatus, String body) throws Exception {
        assertEquals(status, actualStatus, body);
        assertEquals(ret.status().code(), actualStatus, "the status goes with the ret: " + body);
        JsonNode json = JSON.readTree(body);
        assertEquals(2, json.size(), "exactly ret and msg: " + body);
        assertEquals(ret.code(), json.get("ret").asInt(), body);
        assertTrue(json.get("msg").asText().contains(msgPart), "msg names the problem: " + body);
    }

    private static void assertRefused(int status, Ret ret, String msgPart, HttpResponse<String> res) throws Exception {
        assertRefused(status, ret, msgPart, res.statusCode(), res.body());
    }

    @Test
    void aWrongMethodIs405() throws Exception {
        long before = h.httpRequests(Ret.METHOD_NOT_ALLOWED);
        assertRefused(405, Ret.METHOD_NOT_ALLOWED, "GET", h.send("GET", "/1/push?uid=1", null));
        assertRefused(405, Ret.METHOD_NOT_ALLOWED, "GET", h.send("GET", "/1/pushs", null));
        assertRefused(405, Ret.METHOD_NOT_ALLOWED, "PUT", h.send("PUT", "/1/push/room?rid=1", "x"));
        assertRefused(405, Ret.METHOD_NOT_ALLOWED, "DELETE", h.send("DELETE", "/1/push/all", null));
        assertRefused(405, Ret.METHOD_NOT_ALLOWED, "GET", h.send("GET", "/1/server/del?server=1", null));
        assertRefused(405, Ret.METHOD_NOT_ALLOWED, "PUT", h.send("PUT", "/1/count?type=room", ""));
        assertEquals(before + 6, h.httpRequests(Ret.METHOD_NOT_ALLOWED), "each refusal is counted");
    }

    @Test
    void badParametersAre400AndSayWhatIsWrong() throws Exception {
        long before = h.httpRequests(Ret.REQUEST_ERR);
        assertRefused(400, Ret.REQUEST_ERR, "uid=abc", h.post("/1/push?uid=abc", "x"));
        assertRefused(400, Ret.REQUEST_ERR, "uid=-1", h.post("/1/push?uid=-1", "x"));
        assertRefused(400, Ret.REQUEST_ERR, "missing parameter uid", h.post("/1/push", "x"));
        assertRefused(400, Ret.REQUEST_ERR, "missing parameter rid", h.post("/1/push/room", "x"));
        assertRefused(400, Ret.REQUEST_ERR, "rid=one", h.post("/1/push/room?rid=one", "x"));
        assertRefused(400, Ret.REQUEST_ERR, "rid=99999999999", h.post("/1/push/room?rid=99999999999", "x"));
        assertRefused(400, Ret.REQUEST_ERR, "rid=-1", h.post("/1/push/room?rid=-1", "x"));
        assertRefused(400, Ret.REQUEST_ERR, "ensure=maybe", h.post("/1/push/room?rid=1&ensure=maybe", "x"));
        assertRefused(400, Ret.REQUEST_ERR, "missing parameter server", h.post("/1/server/del", ""));
        assertRefused(400, Ret.REQUEST_ERR, "server=0", h.post("/1/server/del?server=0", ""));
        assertRefused(400, Ret.REQUEST_ERR, "missing parameter type", h.send("GET", "/1/count", null));
        assertRefused(400, Ret.REQUEST_ERR, "type=users", h.send("GET", "/1/count?type=users", null));
        assertEquals(before + 12, h.httpRequests(Ret.REQUEST_ERR));
    }

    @Test
    void aBadPushsBodyIs400() throws Exception {
        assertRefused(400, Ret.REQUEST_ERR, "not JSON", h.post("/1/pushs", "{\"u\":[1,2"));
        assertRefused(400, Ret.REQUEST_ERR, "not JSON", h.post("/1/pushs", "junk"));
        assertRefused(400, Ret.REQUEST_ERR, "JSON object", h.post("/1/pushs", "[1,2]"));
        assertRefused(400, Ret.REQUEST_ERR, "JSON object", h.post("/1/pushs", ""));
        assertRefused(400, Ret.REQUEST_ERR, "\"u\"", h.post("/1/pushs", "{\"m\":1}"));
        assertRefused(400, Ret.REQUEST_ERR, "\"u\"", h.post("/1/pushs", "{\"u\":[],\"m\":1}"));
        assertRefused(400, Ret.REQUEST_ERR, "\"u\"", h.post("/1/pushs", "{\"u\":5,\"m\":1}"));
        assertRefused(400, Ret.REQUEST_ERR, "\"abc\"", h.post("/1/pushs", "{\"u\":[1,\"abc\"],\"m\":1}"));
        assertRefused(400, Ret.REQUEST_ERR, "-3", h.post("/1/pushs", "{\"u\":[-3],\"m\":1}"));
        assertRefused(400, Ret.REQUEST_ERR, "1.5", h.post("/1/pushs", "{\"u\":[1.5],\"m\":1}"));
        assertRefused(400, Ret.REQUEST_ERR, "\"m\"", h.post("/1/pushs", "{\"u\":[1]}"));
    }

    @Test
    void anUnknownPathIs404() throws Exception {
        assertRefused(404, Ret.NOT_FOUND, "/2/push", h.post("/2/push?uid=1", "x"));
    }

    @Test
    void aBodyOverTheLimitIs413AndOneAtTheLimitIsRead() throws Exception {
        long before = h.httpRequests(Ret.TOO_LARGE);
        assertRefused(413, Ret.TOO_LARGE, MAX_BODY + " bytes", h.post("/1/push?uid=1", "x".repeat(MAX_BODY + 1)));
        assertRefused(400, Ret.REQUEST_ERR, "not JSON", h.post("/1/pushs", "y".repeat(MAX_BODY)));
        assertEquals(before + 1, h.httpRequests(Ret.TOO_LARGE));
    }

    @Test
    void anOversizedKeepAliveRequestIsAnsweredAndItsConnectionServesTheNextOne() throws Exception {
        try (RawHttp c = new RawHttp(h.logic.httpPort())) {
            c.write(RawHttp.request("POST", "/1/push?uid=1", "z".repeat(3 * MAX_BODY)));
            RawHttp.Response tooLarge = c.read();
            assertRefused(413, Ret.TOO_LARGE, "bytes", tooLarge.status(), tooLarge.body());
            c.write(RawHttp.request("GET", "/1/count?type=room", ""));
            RawHttp.Response next = c.read();
            assertEquals(200, next.status(), "the discarded body did not corrupt the connection");
            assertEquals(1, JSON.readTree(next.body()).get("ret").asInt());
        }
    }

    @Test
    void anOversizedChunkedBodyIs413() throws Exception {
        try (RawHttp c = new RawHttp(h.logic.httpPort())) {
            StringBuilder req = new StringBuilder("POST /1/push/all HTTP/1.1\r\nHost: logic\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = "c".repeat(16 * 1024);
            for (int i = 0; i < 5; i++) {
                req.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
            }
            req.append("0\r\n\r\n");
            c.write(req.toString());
            RawHttp.Response res = c.read();
            assertRefused(413, Ret.TOO_LARGE, "bytes", res.status(), res.body());
            c.write(RawHttp.request("GET", "/1/count?type=server", ""));
            assertEquals(200, c.read().status());
        }
    }

    @Test
    void anOversizedRequestThatAsksToContinueGetsTheJson413AndNeverSendsItsBody() throws Exception {
        try (RawHttp c = new RawHttp(h.logic.httpPort())) {
            c.write("POST /1/push?uid=1 HTTP/1.1\r\nHost: logic\r\nExpect: 100-continue\r\nContent-Length: "
                    + (MAX_BODY + 1) + "\r\n\r\n");
            RawHttp.Response res = c.read();
            assertRefused(413, Ret.TOO_LARGE, "bytes", res.status(), res.body());
            c.write(RawHttp.request("GET", "/1/count?type=room", ""));
            assertEquals(200, c.read().status(), "the connection serves the next request");
        }
    }

    @Test
    void anOversizedRequestWithConnectionCloseIsAnsweredThenClosed() throws Exception {
        try (RawHttp c = new RawHttp(h.logic.httpPort())) {
            c.write(RawHttp.request("POST", "/1/push?uid=1", "q".repeat(MAX_BODY + 10), "Connection: close"));
            RawHttp.Response res = c.read();
            assertRefused(413, Ret.TOO_LARGE, "bytes", res.status(), res.body());
            assertEquals("close", res.headers().get("connection"));
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void pipelinedRequestsOnOneKeepAliveConnectionAreAnsweredInOrder() throws Exception {
        try (RawHttp c = new RawHttp(h.logic.httpPort())) {
            c.write(RawHttp.request("GET", "/1/count?type=room", "")
                    + RawHttp.request("POST", "/1/push?uid=nope", "x")
                    + RawHttp.request("GET", "/1/push?uid=1", "")
                    + RawHttp.request("POST", "/1/count?type=server", ""));
            RawHttp.Response a = c.read();
            RawHttp.Response b = c.read();
            RawHttp.Response d = c.read();
            RawHttp.Response e = c.read();
            assertEquals(200, a.status());
            assertEquals("keep-alive", a.headers().get("connection"));
            assertTrue(a.body().contains("\"data\""));
            assertRefused(400, Ret.REQUEST_ERR, "uid=nope", b.status(), b.body());
            assertRefused(405, Ret.METHOD_NOT_ALLOWED, "GET", d.status(), d.body());
            assertEquals(200, e.status());
            c.setReadTimeout(300);
            assertFalse(c.closedByServer(), "errors do not close a keep-alive connection");
        }
    }

    @Test
    void aMalformedRequestIs400ThenTheConnectionCloses() throws Exception {
        try (RawHttp c = new RawHttp(h.logic.httpPort())) {
            c.write("POST /1/push?uid=1 HTTP/1.1\r\nHost: logic\r\nContent-Length: banana\r\n\r\n");
            RawHttp.Response res = c.read();
            assertRefused(400, Ret.REQUEST_ERR, "malformed HTTP request", res.status(), res.body());
            assertTrue(c.closedByServer());
        }
        try (RawHttp c = new RawHttp(h.logic.httpPort())) {
            c.write("GET /1/count?type=room HTTP/1.1\r\nX-Huge: " + "h".repeat(10_000) + "\r\n\r\n");
            RawHttp.Response res = c.read();
            assertRefused(400, Ret.REQUEST_ERR, "malformed HTTP request", res.status(), res.body());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void aConnectionCloseRequestIsAnsweredThenClosed() throws Exception {
        try (RawHttp c = new RawHttp(h.logic.httpPort())) {
            c.write(RawHttp.request("GET", "/1/count?type=room", "", "Connection: close"));
            RawHttp.Response res = c.read();
            assertEquals(200, res.status());
            assertEquals("close", res.headers().get("connection"));
            assertTrue(c.closedByServer());
        }
    }
}
