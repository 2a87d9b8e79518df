package io.goim.e2e;

import io.goim.client.PushListener;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link PushListener} for tests of the Java client library: collects pushes as
 * {@code "op:body"} text and counts auths and disconnects. Thread-safe.
 */
public final class ClientRecorder implements PushListener {
    public final BlockingQueue<String> pushes = new LinkedBlockingQueue<>();
    public final AtomicInteger auths = new AtomicInteger();
    public final AtomicInteger disconnects = new AtomicInteger();

    @Override
    public void onAuthenticated() {
        auths.incrementAndGet();
    }

    @Override
    public void onPush(int op, byte[] body) {
        pushes.add(op + ":" + new String(body, StandardCharsets.UTF_8));
    }

    @Override
    public void onDisconnected(Throwable cause, long retryInMillis) {
        disconnects.incrementAndGet();
    }
}
