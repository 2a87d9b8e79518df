package io.goim.logic.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.logic.LogicMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Logic's HTTP API on close: the listener stops at once, a push already in flight is
 * still answered {@code {"ret":1}} when its work completes, and close then returns.
 * The push work is a future the test completes, so "in flight" is exact, not timed.
 */
class HttpApiDrainTest {
    /** A push API whose pushes complete when the test says so. */
    static final class HeldPushes implements HttpApiHandler.PushApi {
        final LinkedBlockingQueue<CompletableFuture<Void>> held = new LinkedBlockingQueue<>();

        @Override
        public CompletableFuture<Void> pushUsers(List<Long> userIds, byte[] msg) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            held.add(f);
            return f;
        }

        @Override
        public CompletableFuture<Void> pushRoom(String room, byte[] msg, boolean ensure) {
            return pushUsers(List.of(), msg);
        }

        @Override
        public CompletableFuture<Void> pushAll(byte[] msg) {
            return pushUsers(List.of(), msg);
        }

        @Override
        public CompletableFuture<Void> delServer(int server, boolean force) {
            return pushUsers(List.of(), new byte[0]);
        }

        @Override
        public Map<String, Integer> roomCounts() {
            return Map.of();
        }

        @Override
        public Map<Integer, Integer> serverCounts() {
            return Map.of();
        }

        @Override
        public CompletableFuture<Void> pushKeys(List<String> keys, int op, byte[] msg) {
            return pushUsers(List.of(), msg);
        }

        @Override
        public CompletableFuture<Void> pushUsers(List<Long> userIds, int op, byte[] msg) {
            return pushUsers(userIds, msg);
        }

        @Override
        public CompletableFuture<Void> pushRoom(String room, int op, byte[] msg) {
            return pushRoom(room, msg, false);
        }

        @Override
        public CompletableFuture<Void> pushAll(int op, int speed, byte[] msg) {
            return pushAll(msg);
        }

        @Override
        public CompletableFuture<HttpApiHandler.OnlineTotal> onlineTotal() {
            return CompletableFuture.completedFuture(new HttpApiHandler.OnlineTotal(1, 2));
        }
    }

    @Test
    void anInFlightPushIsAnsweredBeforeCloseReturns() throws Exception {
        HeldPushes api = new HeldPushes();
        HttpApiServer server = new HttpApiServer(new InetSocketAddress("127.0.0.1", 0), 1, 1 << 16, 16,
                HttpApiServer.DEFAULT_LIMITS, new SimpleMeterRegistry(), new HttpApiHandler(api, new LogicMeters(new SimpleMeterRegistry()).http));
        int port = server.port();
        HttpClient http = HttpClient.newHttpClient();
        CompletableFuture<HttpResponse<String>> response = http.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/1/push?uid=7"))
                        .POST(HttpRequest.BodyPublishers.ofString("hello")).build(),
                HttpResponse.BodyHandlers.ofString());
        CompletableFuture<Void> push = api.held.poll(10, TimeUnit.SECONDS);
        assertTrue(push != null, "the push reached the API");

        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
            try {
                server.close(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // The listener goes first: a new connection is refused while the push is still in flight.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                assertTrue(System.nanoTime() < deadline, "listener still open");
                Thread.sleep(20); // polling for the listener to go, not waiting out a timeout
            } catch (ConnectException refused) {
                break;
            } catch (java.net.SocketException reset) {
                // accepted into the kernel's backlog just as the listener closed: reset, so it is gone too
                break;
            }
        }
        // Longer than the event loops' quiet period (grace / 5): they would have stopped by now
        // had close not waited for the answer.
        Thread.sleep(1_500);
        assertFalse(closed.isDone(), "close waits for the push in flight");
        assertFalse(response.isDone());

        push.complete(null); // logic's work (routers, Kafka) finishes
        HttpResponse<String> res = response.get(10, TimeUnit.SECONDS);
        assertEquals(200, res.statusCode());
        assertEquals("{\"ret\":1}", res.body());
        closed.get(10, TimeUnit.SECONDS);
        ExecutionException refused = assertThrows(ExecutionException.class, () -> http.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/1/push?uid=7"))
                        .POST(HttpRequest.BodyPublishers.ofString("late")).build(),
                HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS));
        assertTrue(refused.getCause() instanceof java.io.IOException, refused.toString());
    }
}
