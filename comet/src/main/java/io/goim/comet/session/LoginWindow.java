package io.goim.comet.session;

import io.goim.libs.grpc.CallIds;
import io.goim.proto.ConnectReply;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A bounded window of Connect calls to logic: at most {@code window} are in flight; the
 * logins beyond it wait here, in arrival order, and are sent as earlier calls complete.
 * A login storm (thousands of clients reconnecting at once) thus reaches logic at the rate
 * logic answers instead of all at once, and each call's deadline ({@code logic-timeout})
 * starts when it is sent, not while it waits here: without the window every call of a
 * storm is started at once, most pass their deadline queued in the HTTP/2 connection,
 * and logic and the routers still do the work of each one (Put, then a Disconnect for the
 * client comet already gave up on).
 *
 * <p>A waiting login whose client went away is cancelled by its caller
 * ({@code future.cancel}) and never sent. A login cancelled while its call was in flight
 * is registered in the router by then: {@code abandoned} gets the reply, to undo it.
 *
 * <p>A login logic does not answer within {@code answerWithin} of being sent fails
 * ({@link java.util.concurrent.TimeoutException}) while its call goes on: the call's own deadline is longer
 * ({@code connect} sets it). Logic may have stored the session already (it usually has:
 * under load the answer is late, not lost), and only the answer names it; a call cut off
 * by a short gRPC deadline would leave that session in the store, counted online, with no
 * connection, until the store expires it (an hour by default). The late answer goes to
 * {@code abandoned} like a cancelled login's, and the call keeps its slot until then,
 * since logic is still working on it.
 * A call that ends without any answer (DEADLINE_EXCEEDED: logic's answer was late past
 * the call's deadline, or lost in transit) leaves no name for a session logic may have
 * stored, except the login id the comet drew for it: {@code unanswered} gets the token and
 * that id, to have logic undo the login by its id (Logic.Undo).
 * Waiting logins hold only their token; there is at most one per open, unauthenticated
 * connection.
 *
 * <p>Thread-safe; never blocks.
 */
public final class LoginWindow {
    private record Waiting(byte[] token, CompletableFuture<ConnectReply> result) {
    }

    /** Sends one Connect call for login {@code loginId} (its deadline starts then). */
    @FunctionalInterface
    public interface Connector {
        CompletableFuture<ConnectReply> connect(byte[] token, long loginId);
    }

    /** Gets a login whose call ended without an answer, to undo it by its id. */
    @FunctionalInterface
    public interface Unanswered {
        void undo(byte[] token, long loginId);
    }

    private final int window;
    /** How long a sent login waits for logic's answer; 0: as long as its call. */
    private final long answerWithinNanos;
    private final Connector connect;
    private final Consumer<ConnectReply> abandoned;
    private final Unanswered unanswered;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private int inFlight;

    /**
     * @param connect   sends one Connect call (its deadline starts then)
     * @param abandoned gets the reply of a call whose login was cancelled while in flight
     */
    public LoginWindow(int window, Function<byte[], CompletableFuture<ConnectReply>> connect,
            Consumer<ConnectReply> abandoned) {
        this(window, Duration.ZERO, connect, abandoned);
    }

    /**
     * @param answerWithin how long a sent login waits for logic's answer before it fails
     *                     (the call goes on, see above); zero: as long as the call
     * @param connect      sends one Connect call (its deadline starts then; make it longer than {@code answerWithin})
     * @param abandoned    gets the reply of a call whose login was cancelled or timed out while in flight
     */
    public LoginWindow(int window, Duration answerWithin, Function<byte[], CompletableFuture<ConnectReply>> connect,
            Consumer<ConnectReply> abandoned) {
        this(window, answerWithin, (token, loginId) -> connect.apply(token), abandoned, (token, loginId) -> {
        });
    }

    /**
     * @param answerWithin how long a sent login waits for logic's answer before it fails
     *                     (the call goes on, see above); zero: as long as the call
     * @param connect      sends one Connect call with the login id drawn here (its deadline
     *                     starts then; make it longer than {@code answerWithin})
     * @param abandoned    gets the reply of a call whose login was cancelled or timed out while in flight
     * @param unanswered   gets the token and login id of a call that ended DEADLINE_EXCEEDED
     */
    public LoginWindow(int window, Duration answerWithin, Connector connect, Consumer<ConnectReply> abandoned,
            Unanswered unanswered) {
        this.window = window;
        this.answerWithinNanos = answerWithin.toNanos();
        this.connect = connect;
        this.abandoned = abandoned;
        this.unanswered = unanswered;
    }

    /** Logs {@code token} in when the window has room; the future completes on a gRPC thread. */
    CompletableFuture<ConnectReply> connect(byte[] token) {
        CompletableFuture<ConnectReply> result = new CompletableFuture<>();
        boolean sendNow;
        synchronized (this) {
            sendNow = inFlight < window;
            if (sendNow) {
                inFlight++;
            } else {
                waiting.add(new Waiting(token, result));
            }
        }
        if (sendNow) {
            send(new Waiting(token, result));
        }
        return result;
    }

    /** Logins waiting for room in the window. */
    public synchronized int waiting() {
        return waiting.size();
    }

    /** Calls in flight. */
    synchronized int inFlight() {
        return inFlight;
    }

    /** Sends {@code w}, and the next waiting login each time a call completes at once; the caller holds a slot. */
    private void send(Waiting w) {
        while (w != null) {
            long loginId = CallIds.next();
            CompletableFuture<ConnectReply> call;
            try {
                call = connect.connect(w.token, loginId);
            } catch (RuntimeException e) {
                call = CompletableFuture.failedFuture(e);
            }
            if (!call.isDone()) {
                Waiting sent = w;
                if (answerWithinNanos > 0) {
                    // Fails the login, not the call: a late answer still reaches completed().
                    sent.result.orTimeout(answerWithinNanos, TimeUnit.NANOSECONDS);
                }
                call.whenComplete((reply, error) -> send(completed(sent, loginId, reply, error)));
                return;
            }
            // Completed already (e.g. the channel is shut down): loop instead of recursing.
            Waiting sent = w;
            ConnectReply[] reply = new ConnectReply[1];
            Throwable[] error = new Throwable[1];
            call.whenComplete((r, e) -> {
                reply[0] = r;
                error[0] = e;
            });
            w = completed(sent, loginId, reply[0], error[0]);
        }
    }

    /** Hands the outcome of {@code sent}'s call to its login; returns the next login to send in its slot, if any. */
    private Waiting completed(Waiting sent, long loginId, ConnectReply reply, Throwable error) {
        Waiting next = release();
        if (error != null) {
            if (Status.fromThrowable(error).getCode() == Status.Code.DEADLINE_EXCEEDED) {
                // No answer within the call's deadline: logic may have stored the session all
                // the same (it answered too late, or its answer was lost on the way), and
                // nothing else names it. (Other errors are logic's answers: it stored
                // nothing, or undid what it stored before answering.)
                unanswered.undo(sent.token, loginId);
            }
            sent.result.completeExceptionally(error);
        } else if (!sent.result.complete(reply)) {
            abandoned.accept(reply);
        }
        return next;
    }

    /** Gives back a slot, or hands it to the next waiting login that is still wanted (returned). */
    private synchronized Waiting release() {
        Waiting next;
        while ((next = waiting.poll()) != null) {
            if (!next.result.isDone()) {
                return next;
            }
        }
        inFlight--;
        return null;
    }
}
