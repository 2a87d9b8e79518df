package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.goim.protocol.Op;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.TcpTestClient;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * goim.js, the demo page's client, in real headless Chromium against a real cluster: a goim
 * v2 login, rooms (join, a refused join, leave, change), accepts, an upstream message
 * resolved by its acknowledgement, the connection put back in its room and accepts after
 * the server closed it, and a comet found through logic's nodes API (read cross-origin from
 * the page) when the configured URL is dead. Skipped only where no Chromium is installed.
 */
@ClusterTest
class GoimJsBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private LocalCluster cluster;

    @BeforeAll
    static void needsChromium() {
        assumeTrue(HeadlessChromium.binary() != null, "no chromium installed");
    }

    /** The shared cluster: the test's users and rooms are its own, and it pushes only to them. */
    @BeforeEach
    void on(LocalCluster shared) {
        cluster = shared;
    }

    private void v2(String pathAndQuery, String body) throws Exception {
        String answer = cluster.post(pathAndQuery, body).body();
        assertEquals(0, JSON.readTree(answer).path("code").asInt(-1), pathAndQuery + ": " + answer);
    }

    /** Runs {@code promise} (a JS expression) in the page; its outcome lands in {@code r[name]}. */
    private static void track(HeadlessChromium b, String name, String promise) throws Exception {
        b.evaluate("track('" + name + "', " + promise + "); 1");
    }

    private static void awaitResult(HeadlessChromium b, String name, String expected) throws Exception {
        b.awaitValue("String(r['" + name + "'])", expected, WAIT);
    }

    /** Waits until the page has logged {@code entry} as its next push. */
    private static void awaitNextPush(HeadlessChromium b, String entry) throws Exception {
        b.awaitValue("String(pushes.length > 0 ? pushes[0] : '')", entry, WAIT);
        b.evaluate("pushes.shift(); 1");
    }

    @Test
    void v2LoginRoomsAcceptsMessagesRejoinAndNodes() throws Exception {
        long mid = cluster.newId();
        long other = cluster.newId();
        long r1 = cluster.newId();
        long r2 = cluster.newId();
        long r3 = cluster.newId();
        int wsPort = cluster.comet.websocketPort();
        String page = "http://127.0.0.1:" + wsPort + "/";
        try (HeadlessChromium b = new HeadlessChromium(page)) {
            b.awaitValue("typeof GoimClient", "function", WAIT);
            b.evaluate("""
                    window.r = {}; window.pushes = []; window.auths = 0;
                    window.track = function (name, p) {
                      p.then(function (v) { r[name] = 'ok:' + JSON.stringify(v); },
                             function (e) { r[name] = 'err:' + e.message + (e.ret ? ' ret ' + e.ret : ''); });
                    };
                    window.c = new GoimClient('ws://127.0.0.1:%d/sub', {
                      login: {mid: %d, key: 'js-%d', room_id: 'live://%d', platform: 'web', accepts: [1000]},
                      backoffBaseMs: 50, backoffMaxMs: 200,
                      onPush: function (body, p) { pushes.push(p.op + ':' + JSON.stringify(body)); },
                      onState: function (s) { window.state = s; if (s === 'authenticated') { auths++; } }
                    });
                    c.connect(); 1""".formatted(wsPort, mid, mid, r1));
            b.awaitValue("String(auths)", "1", WAIT);

            v2("/goim/push/room?operation=1000&type=live&room=" + r1, "{\"n\":1}");
            awaitNextPush(b, "1000:{\"n\":1}");

            track(b, "join", "c.joinRoom('live://" + r2 + "')");
            awaitResult(b, "join", "ok:2");
            track(b, "badJoin", "c.joinRoom('bad\\u0001room')");
            b.awaitValue("String(String(r.badJoin).startsWith('err:') && String(r.badJoin).endsWith('ret 65534'))", "true",
                    WAIT);

            track(b, "sub", "c.subscribe([1001])");
            awaitResult(b, "sub", "ok:undefined");
            track(b, "unsub", "c.unsubscribe(1000)");
            awaitResult(b, "unsub", "ok:undefined");
            assertEquals("[1001]", b.evaluate("JSON.stringify(c.accepts)"));
            v2("/goim/push/mids?operation=1000&mids=" + mid, "{\"not\":\"accepted\"}");
            v2("/goim/push/mids?operation=1001&mids=" + mid, "{\"marker\":1}");
            awaitNextPush(b, "1001:{\"marker\":1}");

            track(b, "change", "c.changeRoom('live://" + r3 + "')");
            awaitResult(b, "change", "ok:undefined");
            track(b, "leave", "c.leaveRoom('live://" + r2 + "')");
            awaitResult(b, "leave", "ok:1");
            assertEquals("[\"live://" + r3 + "\"]", b.evaluate("JSON.stringify(c.rooms())"));

            track(b, "msg", "c.sendMessage({text: 'hi'})");
            awaitResult(b, "msg", "ok:{\"text\":\"hi\"}");
            assertEquals("0", b.evaluate("String(pushes.length)"), "an acknowledgement is not a push");

            // The server closes the connection: another login takes its key.
            try (TcpTestClient thief = new TcpTestClient("127.0.0.1", cluster.comet.tcpPort())) {
                thief.send(Op.AUTH, 1, "{\"mid\":" + mid + ",\"key\":\"js-" + mid + "\",\"room_id\":\"\",\"accepts\":[]}");
                assertEquals(Op.AUTH_REPLY, thief.receive().op());
                b.awaitValue("String(auths)", "2", WAIT);
            }
            Await.until("back in the changed room only", WAIT,
                    () -> cluster.comet.roomOnline("live://" + r3) == 1 && cluster.comet.roomOnline("live://" + r1) == 0);
            v2("/goim/push/mids?operation=1000&mids=" + mid, "{\"still\":\"not accepted\"}");
            v2("/goim/push/room?operation=1001&type=live&room=" + r3, "{\"back\":1}");
            awaitNextPush(b, "1001:{\"back\":1}");

            // Nodes: the configured URL is dead; logic's nodes API names the comet.
            int dead;
            try (ServerSocket s = new ServerSocket(0)) {
                dead = s.getLocalPort();
            }
            b.evaluate("""
                    window.n = new GoimClient('ws://127.0.0.1:%d/sub', {
                      token: %d, nodesUrl: 'http://127.0.0.1:%d',
                      onState: function (s) { window.nState = s; }
                    });
                    n.connect(); 1""".formatted(dead, other, cluster.logic.httpPort()));
            b.awaitValue("String(nState)", "authenticated", WAIT);
            assertEquals("ws://127.0.0.1:" + wsPort + "/sub", b.evaluate("n.currentUrl"));
            b.evaluate("c.close(); n.close(); 1");
            b.awaitValue("String(state)", "disconnected", WAIT);
        }
    }
}
