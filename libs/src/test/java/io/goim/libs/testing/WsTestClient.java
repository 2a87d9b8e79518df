package io.goim.libs.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A blocking goim WebSocket test client on the JDK's {@code java.net.http.WebSocket}: whole
 * text and binary messages are queued as they arrive; {@link #closed} completes when the
 * server closes or the connection fails. {@code tls} is null for ws, a client context for wss.
 */
public final class WsTestClient implements AutoCloseable {
    public final LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
    public final LinkedBlockingQueue<ByteBuffer> binaries = new LinkedBlockingQueue<>();
    public final CompletableFuture<String> closed = new CompletableFuture<>();
    private final WebSocket ws;

    public WsTestClient(String uri, SSLContext tls) throws Exception {
        HttpClient.Builder http = HttpClient.newBuilder();
        if (tls != null) {
            http.sslContext(tls);
        }
        ws = http.build().newWebSocketBuilder().buildAsync(URI.create(uri), new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();
            private ByteBuffer binary = ByteBuffer.allocate(0);

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    texts.add(text.toString());
                    text.setLength(0);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                ByteBuffer joined = ByteBuffer.allocate(binary.remaining() + data.remaining());
                joined.put(binary).put(data).flip();
                binary = joined;
                if (last) {
                    binaries.add(binary);
                    binary = ByteBuffer.allocate(0);
                }
                w.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
                closed.complete("close " + status);
                return null;
            }

            @Override
            public void onError(WebSocket w, Throwable error) {
                closed.complete("error " + error);
            }
        }).get(10, TimeUnit.SECONDS);
    }

    public void sendText(String json) throws Exception {
        ws.sendText(json, true).get(5, TimeUnit.SECONDS);
    }

    public void sendBinary(byte[] bytes) throws Exception {
        ws.sendBinary(ByteBuffer.wrap(bytes), true).get(5, TimeUnit.SECONDS);
    }

    public String nextText() throws InterruptedException {
        String s = texts.poll(30, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("no text frame within 30 s");
        }
        return s;
    }

    public ByteBuffer nextBinary() throws InterruptedException {
        ByteBuffer b = binaries.poll(30, TimeUnit.SECONDS);
        if (b == null) {
            throw new AssertionError("no binary frame within 30 s");
        }
        return b;
    }

    @Override
    public void close() {
        ws.abort();
    }
}
