package io.goim.libs.testing;

import java.io.IOException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link RedisServer} for a test class: started once before its tests, emptied
 * (FLUSHALL) before each test, stopped after the last. Register it in a static field:
 *
 * <pre>
 * &#64;RegisterExtension
 * static final RedisExtension redis = new RedisExtension();
 * </pre>
 *
 * A test that {@link #kill}ed the server and did not bring it back finds it restarted
 * (empty, same port) by the next test's set-up, so one failure does not fail the rest.
 */
public final class RedisExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
    private RedisServer server;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = RedisServer.start();
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        String answer = server().command("FLUSHALL");
        if (answer == null) {
            server.restart(); // a test left it killed: empty once it is back
            return;
        }
        if (!"+OK".equals(answer)) {
            throw new AssertionError("redis-server on port " + server.port() + " answered FLUSHALL with " + answer);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** The running server (between the class's set-up and tear-down). */
    public RedisServer server() {
        if (server == null) {
            throw new IllegalStateException("no redis-server: register RedisExtension in a static field");
        }
        return server;
    }

    /** {@code redis://127.0.0.1:<port>}, see {@link RedisServer#uri}. */
    public String uri() {
        return server().uri();
    }

    /** See {@link RedisServer#command}. */
    public String command(String inline) {
        return server().command(inline);
    }

    /** See {@link RedisServer#kill}. */
    public void kill() throws InterruptedException {
        server().kill();
    }

    /** See {@link RedisServer#restart}. */
    public void restart() throws IOException, InterruptedException {
        server().restart();
    }
}
