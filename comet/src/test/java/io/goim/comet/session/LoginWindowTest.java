package io.goim.comet.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.proto.ConnectReply;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The login window: at most N Connect calls in flight, the rest wait in order; cancelled logins are never sent. */
class LoginWindowTest {
    private final List<String> sent = new ArrayList<>();
    private final List<CompletableFuture<ConnectReply>> calls = new ArrayList<>();
    private final List<ConnectReply> abandoned = new ArrayList<>();
    private final LoginWindow window = new LoginWindow(2, token -> {
        sent.add(new String(token, StandardCharsets.UTF_8));
        CompletableFuture<ConnectReply> call = new CompletableFuture<>();
        calls.add(call);
        return call;
    }, abandoned::add);

    private CompletableFuture<ConnectReply> login(String token) {
        return window.connect(token.getBytes(StandardCharsets.UTF_8));
    }

    private static ConnectReply reply(String key) {
        return ConnectReply.newBuilder().setKey(key).setRoomKey("1").build();
    }

    @Test
    void loginsBeyondTheWindowWaitAndAreSentInOrderAsCallsComplete() {
        List<CompletableFuture<ConnectReply>> logins = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            logins.add(login("u" + i));
        }
        assertEquals(List.of("u1", "u2"), sent);
        assertEquals(3, window.waiting());

        calls.get(0).complete(reply("k1"));
        assertEquals("k1", logins.get(0).join().getKey());
        assertEquals(List.of("u1", "u2", "u3"), sent);

        calls.get(1).completeExceptionally(new RuntimeException("logic down"));
        assertTrue(logins.get(1).isCompletedExceptionally());
        assertEquals(List.of("u1", "u2", "u3", "u4"), sent);
        assertEquals(2, window.inFlight());
        assertEquals(1, window.waiting());
    }

    @Test
    void aLoginCancelledWhileWaitingIsNeverSent() {
        login("u1");
        login("u2");
        CompletableFuture<ConnectReply> gone = login("u3");
        CompletableFuture<ConnectReply> next = login("u4");
        gone.cancel(false);
        calls.get(0).complete(reply("k1"));
        assertEquals(List.of("u1", "u2", "u4"), sent);
        calls.get(1).complete(reply("k2"));
        calls.get(2).complete(reply("k4"));
        assertEquals("k4", next.join().getKey());
        assertEquals(0, window.inFlight());
        assertEquals(0, window.waiting());
        assertTrue(abandoned.isEmpty());
    }

    @Test
    void aLoginCancelledWhileInFlightHandsItsReplyToBeUndone() {
        CompletableFuture<ConnectReply> gone = login("u1");
        gone.cancel(false);
        ConnectReply r = reply("k1");
        calls.get(0).complete(r);
        assertEquals(1, abandoned.size());
        assertSame(r, abandoned.get(0));
        assertEquals(0, window.inFlight());
    }

    @Test
    void callsThatFailAtOnceDoNotRecurseThroughTheQueue() {
        CompletableFuture<ConnectReply> first = new CompletableFuture<>();
        LoginWindow failing = new LoginWindow(1, token -> token.length == 0 ? first
                : CompletableFuture.failedFuture(new IllegalStateException("shut down")), abandoned::add);
        failing.connect(new byte[0]);
        List<CompletableFuture<ConnectReply>> logins = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            logins.add(failing.connect(new byte[1]));
        }
        first.complete(reply("k0")); // sends the 20,000 waiting ones, each failing at once
        logins.forEach(f -> assertTrue(f.isCompletedExceptionally()));
        assertEquals(0, failing.inFlight());
        assertEquals(0, failing.waiting());
    }

    @Test
    void aLoginNotAnsweredInTimeFailsWhileItsCallGoesOnAndItsLateReplyIsUndone() throws Exception {
        LoginWindow timed = new LoginWindow(1, java.time.Duration.ofMillis(50), token -> {
            CompletableFuture<ConnectReply> call = new CompletableFuture<>();
            calls.add(call);
            return call;
        }, abandoned::add);
        CompletableFuture<ConnectReply> login = timed.connect(new byte[] {'7'});
        CompletableFuture<ConnectReply> next = timed.connect(new byte[] {'8'});
        java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> login.get(10, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof java.util.concurrent.TimeoutException, e.toString());
        assertEquals(1, timed.inFlight(), "the call still holds its slot: logic is still working on it");
        assertEquals(1, timed.waiting());
        ConnectReply late = reply("k7");
        calls.get(0).complete(late);
        assertEquals(List.of(late), abandoned);
        assertEquals(2, calls.size(), "the slot went to the next login");
        assertEquals(0, timed.waiting());
    }
}
