package io.goim.bench.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.locks.LockSupport;

/**
 * One steady stream of pushes of one kind over logic's HTTP API, numbered 0, 1, 2, … in
 * the body ({@link Push#body}), one request at a time: a push is sent only after the
 * previous one was answered, so accepted pushes reach Kafka in sequence order and a
 * client's room order can be checked against the numbers. Records, per push, when it was
 * sent and whether it was accepted ({@code {"ret":1}}) and when. An HTTP error or a
 * request that failed or timed out is not accepted (it may still arrive: not counted
 * then, neither as a loss nor as a delivery of an accepted push).
 *
 * <p>Runs on its own thread; the record is read by the suite's thread (synchronized).
 */
final class PushStream implements Runnable {
    private final Push.Kind kind;
    private final URI url;
    private final long intervalNanos;
    private final Duration timeout;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final BitSet accepted = new BitSet();
    private long[] sentAt = new long[1024];
    private long[] acceptedAt = new long[1024];
    private int next;
    private long refused;
    private long failed;
    private String lastRefusal = "";
    private volatile boolean stopped;
    private Thread thread;

    /** {@code url}: the push endpoint; user pushes wrap the body as {@code /1/pushs} wants it. */
    PushStream(Push.Kind kind, URI url, int ratePerSecond, Duration timeout) {
        this.kind = kind;
        this.url = url;
        this.intervalNanos = 1_000_000_000L / ratePerSecond;
        this.timeout = timeout;
    }

    Push.Kind kind() {
        return kind;
    }

    /** Starts sending; {@code wrapPrefix} goes before each body, and "}" after (user pushes: {@code {"u":[…],"m":}). */
    synchronized void start(String wrapPrefix) {
        this.prefix = wrapPrefix;
        thread = new Thread(this, "push-" + kind.label());
        thread.setDaemon(true);
        thread.start();
    }

    private volatile String prefix = "";

    @Override
    public void run() {
        long due = System.nanoTime();
        while (!stopped) {
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            due = Math.max(due + intervalNanos, System.nanoTime());
            int seq;
            synchronized (this) {
                seq = next++;
                if (seq == sentAt.length) {
                    sentAt = java.util.Arrays.copyOf(sentAt, seq * 2);
                    acceptedAt = java.util.Arrays.copyOf(acceptedAt, seq * 2);
                }
                sentAt[seq] = System.nanoTime();
            }
            String body = new Push(kind, seq).body();
            if (!prefix.isEmpty()) {
                body = prefix + body + "}";
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(url).timeout(timeout)
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                long now = System.nanoTime();
                synchronized (this) {
                    if (r.statusCode() == 200 && r.body().contains("\"ret\":1")) {
                        accepted.set(seq);
                        acceptedAt[seq] = now;
                    } else {
                        refused++;
                        lastRefusal = r.statusCode() + " " + abbreviate(r.body());
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                synchronized (this) {
                    failed++;
                    lastRefusal = abbreviate(e.toString());
                }
            }
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 160 ? s.substring(0, 160) : s;
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

    /** Accepted pushes whose answer came in [{@code from}, {@code to}) (nanoTime). */
    synchronized BitSet acceptedBetween(long from, long to) {
        BitSet b = new BitSet();
        for (int s = accepted.nextSetBit(0); s >= 0; s = accepted.nextSetBit(s + 1)) {
            if (acceptedAt[s] >= from && acceptedAt[s] < to) {
                b.set(s);
            }
        }
        return b;
    }

    /** Pushes sent in [{@code from}, {@code to}) (nanoTime) and how many of them were not accepted. */
    synchronized int[] sentBetween(long from, long to) {
        int sent = 0;
        int notAccepted = 0;
        for (int s = 0; s < next; s++) {
            if (sentAt[s] >= from && sentAt[s] < to) {
                sent++;
                if (!accepted.get(s)) {
                    notAccepted++;
                }
            }
        }
        return new int[] {sent, notAccepted};
    }

    /** The first push sent at or after {@code t} (nanoTime), or -1. */
    synchronized int firstSentFrom(long t) {
        for (int s = 0; s < next; s++) {
            if (sentAt[s] >= t) {
                return s;
            }
        }
        return -1;
    }

    synchronized String lastRefusal() {
        return lastRefusal;
    }

    synchronized long refused() {
        return refused;
    }

    synchronized long failed() {
        return failed;
    }
}
