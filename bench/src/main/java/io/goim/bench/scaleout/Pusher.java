package io.goim.bench.scaleout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.concurrent.locks.LockSupport;

/**
 * One steady stream of pushes of one kind over logic's HTTP API, at a fixed rate, one
 * request at a time, the requests taking the logics in turn (a backend behind a load
 * balancer). Push {@code n} is {@code pushes.apply(n)}. Records, per push, when it was sent
 * and, if it was accepted ({@code {"ret":1}}: Kafka has it), when the answer came. A push
 * refused, failed or timed out is not accepted: it is not owed to anyone (it may still
 * arrive; then it is checked for reaching only its own targets, like any other).
 *
 * <p>Runs on its own thread; the record is read by the suite's thread (synchronized).
 */
final class Pusher implements Runnable {
    /** One push sent: when, and when accepted (0: not accepted). */
    record Sent(Push push, long sentAt, long acceptedAt) {
        boolean accepted() {
            return acceptedAt != 0;
        }
    }

    private final Push.Kind kind;
    private final IntFunction<Push> pushes;
    private final List<URI> logics;
    private final long intervalNanos;
    private final Duration timeout;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Sent> sent = new ArrayList<>();
    private long refused;
    private String lastRefusal = "";
    private volatile boolean stopped;
    private Thread thread;

    /** {@code logics}: each logic's HTTP base URI ({@code http://127.0.0.1:port}). */
    Pusher(Push.Kind kind, IntFunction<Push> pushes, List<URI> logics, int ratePerSecond, Duration timeout) {
        this.kind = kind;
        this.pushes = pushes;
        this.logics = List.copyOf(logics);
        this.intervalNanos = 1_000_000_000L / ratePerSecond;
        this.timeout = timeout;
    }

    Push.Kind kind() {
        return kind;
    }

    synchronized void start() {
        thread = new Thread(this, "push-" + kind.label());
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        long due = System.nanoTime();
        for (int seq = 0; !stopped; seq++) {
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            due = Math.max(due + intervalNanos, System.nanoTime());
            Push p = pushes.apply(seq);
            URI uri = logics.get(seq % logics.size()).resolve(p.path());
            long at = System.nanoTime();
            long acceptedAt = 0;
            String refusal = null;
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(timeout)
                        .POST(HttpRequest.BodyPublishers.ofString(p.request())).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"ret\":1")) {
                    acceptedAt = System.nanoTime();
                } else {
                    refusal = r.statusCode() + " " + r.body();
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                refusal = e.toString();
            }
            synchronized (this) {
                sent.add(new Sent(p, at, acceptedAt));
                if (refusal != null) {
                    refused++;
                    lastRefusal = refusal.length() > 160 ? refusal.substring(0, 160) : refusal;
                }
            }
        }
    }

    /** Stops after the request under way (answered or timed out). */
    void stop() throws InterruptedException {
        stopped = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.join(timeout.toMillis() + 5_000);
        }
    }

    /** Every push sent so far, in order. */
    synchronized List<Sent> sent() {
        return List.copyOf(sent);
    }

    synchronized long refused() {
        return refused;
    }

    synchronized String lastRefusal() {
        return lastRefusal;
    }
}
