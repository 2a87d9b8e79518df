package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The browser demo end to end in real headless Chromium: comet serves the page on its
 * WebSocket port, the page's JavaScript client connects and authenticates, and a push sent
 * over logic's HTTP API appears on the page. Skipped only where no Chromium is installed.
 */
@ClusterTest
class BrowserDemoTest {
    @BeforeAll
    static void needsChromium() {
        assumeTrue(HeadlessChromium.binary() != null, "no chromium installed");
    }

    /** On the shared cluster: a user of its own, pushed to by user id only. */
    @Test
    void pushSentOverHttpAppearsOnTheDemoPage(LocalCluster cluster) throws Exception {
        long uid = cluster.newId();
        String page = "http://127.0.0.1:" + cluster.comet.websocketPort() + "/?uid=" + uid + "&autoconnect=1";
        try (HeadlessChromium browser = new HeadlessChromium(page)) {
            browser.awaitValue("document.getElementById('state').dataset.state", "authenticated",
                    Duration.ofSeconds(20));
            assertEquals("0", browser.evaluate("String(document.querySelectorAll('#pushes li.push').length)"));

            assertEquals("{\"ret\":1}", cluster.post("/1/push?uid=" + uid, "{\"hello\":\"browser\"}").body());

            browser.awaitValue("String(document.getElementById('pushes').textContent.includes('hello')"
                    + " && document.getElementById('pushes').textContent.includes('browser'))", "true",
                    Duration.ofSeconds(20));
            assertEquals("1", browser.evaluate("String(document.querySelectorAll('#pushes li.push').length)"));
        }
    }
}
