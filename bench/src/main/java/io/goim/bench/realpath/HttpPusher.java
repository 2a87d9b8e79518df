package io.goim.bench.realpath;

import io.goim.bench.Latencies;
import io.goim.bench.SendStamp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Pushes through logic's HTTP API at a fixed rate, as a backend would: {@code POST url}
 * with body {@code {"t":<send time µs>,"n":<seq>}} ({@link SendStamp}), over HTTP/1.1
 * keep-alive connections with up to {@code parallel} requests outstanding, so one slow
 * answer does not lower the rate. A request due while all are outstanding is not sent and
 * is counted as {@code late}. Counts {@code {"ret":1}} answers as accepted, any other
 * answer as refused, and a failed request as failed; records each answer's round trip,
 * and for each accepted push when its answer arrived (epoch µs, the clock of
 * {@link Latencies#nowMicros}, by the body's sequence), so that delivery can be timed from
 * "accepted" rather than from "sent". That moment is taken when the HTTP client hands over
 * the complete answer, a little after its bytes arrived: if anything it makes the
 * accepted → client time look shorter by the client's dispatch, never longer.
 * Sequences are unique per instance (warm-up, window and probe pushes never share one).
 * One push at a time per instance.
 */
final class HttpPusher implements AutoCloseable {
    /**
     * What one {@link #push} did.
     *
     * @param acceptedAtMicros for each accepted push, its sequence → when its answer arrived (epoch µs)
     */
    record Outcome(long sent, long accepted, long refused, long failed, long late, Histogram answerMicros,
            String firstRefusal, Map<Long, Long> acceptedAtMicros) {
    }

    private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "http-pusher");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(executor).build();
    private final int parallel;
    private long seq;

    HttpPusher(int parallel) {
        this.parallel = parallel;
    }

    /** Pushes {@code rate} times a second to {@code url} for {@code length}; returns once every answer is in. */
    Outcome push(URI url, int rate, Duration length) throws InterruptedException {
        Semaphore slots = new Semaphore(parallel);
        AtomicLong accepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        StringBuilder firstRefusal = new StringBuilder();
        Latencies answers = new Latencies();
        Map<Long, Long> acceptedAt = new ConcurrentHashMap<>();
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long end = start + length.toNanos();
        long sent = 0;
        long late = 0;
        for (long i = 0; ; i++) {
            long due = start + i * interval;
            if (due >= end) {
                break;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (!slots.tryAcquire()) {
                late++;
                continue;
            }
            sent++;
            long t = Latencies.nowMicros();
            long begun = System.nanoTime();
            long n = seq++;
            HttpRequest req = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString(SendStamp.body(t, n))).build();
            client.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((resp, error) -> {
                long answeredAt = Latencies.nowMicros();
                try {
                    answers.record((System.nanoTime() - begun) / 1_000);
                    if (error != null) {
                        failed.incrementAndGet();
                        note(firstRefusal, error.toString());
                    } else if (resp.statusCode() == 200 && resp.body().contains("\"ret\":1")) {
                        accepted.incrementAndGet();
                        acceptedAt.put(n, answeredAt);
                    } else {
                        refused.incrementAndGet();
                        note(firstRefusal, resp.statusCode() + " " + resp.body());
                    }
                } finally {
                    slots.release();
                }
            });
        }
        if (!slots.tryAcquire(parallel, 30, TimeUnit.SECONDS)) {
            failed.addAndGet(parallel - slots.availablePermits());
        }
        return new Outcome(sent, accepted.get(), refused.get(), failed.get(), late, answers.snapshot(),
                firstRefusal.toString(), Map.copyOf(acceptedAt));
    }

    private static void note(StringBuilder first, String what) {
        synchronized (first) {
            if (first.isEmpty()) {
                first.append(what.length() > 200 ? what.substring(0, 200) : what);
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
