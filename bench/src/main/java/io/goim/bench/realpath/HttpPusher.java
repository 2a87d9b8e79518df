package io.goim.bench.realpath;

import io.goim.bench.Latencies;
import io.goim.bench.SendStamp;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 * "accepted" rather than from "sent". That moment is taken when the event loop has read
 * the complete answer, a little after its bytes arrived: if anything it makes the
 * accepted → client time look shorter by that read, never longer.
 * Sequences are unique per instance (warm-up, window and probe pushes never share one).
 * One push at a time per instance.
 *
 * <p>Netty, one event loop, one request at a time per connection ({@link HttpPushConnection}):
 * the tool shares the machine's cores with the cluster it measures, so it must cost far
 * less per request than logic does. The JDK's {@code HttpClient} it replaced cost about
 * 1.4 ms of CPU per push (5.7 CPU-seconds in a 20 s window at 200 pushes/s), as much as
 * logic itself. Connections stay open between pushes (keep-alive, as a backend's pool).
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

    private final EventLoopGroup group = new NioEventLoopGroup(1, r -> {
        Thread t = new Thread(r, "http-pusher");
        t.setDaemon(true);
        return t;
    });
    private final int parallel;
    private final long timeoutNanos;
    /** Connections that can take a request now, by "host:port". */
    private final Map<String, ConcurrentLinkedQueue<HttpPushConnection>> idle = new ConcurrentHashMap<>();
    private long seq;

    HttpPusher(int parallel) {
        this(parallel, Duration.ofSeconds(10));
    }

    /** A request not answered within {@code timeout} counts as failed (its connection is closed). */
    HttpPusher(int parallel, Duration timeout) {
        this.parallel = parallel;
        this.timeoutNanos = timeout.toNanos();
    }

    /** Pushes {@code rate} times a second to {@code url} for {@code length}; returns once every answer is in. */
    Outcome push(URI url, int rate, Duration length) throws InterruptedException {
        String target = url.getHost() + ":" + url.getPort();
        String path = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
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
            HttpPushConnection c = connection(target);
            if (c == null) {
                failed.incrementAndGet();
                note(firstRefusal, "cannot connect to " + target);
                slots.release();
                continue;
            }
            sent++;
            long t = Latencies.nowMicros();
            long begun = System.nanoTime();
            long n = seq++;
            c.expect(new HttpPushConnection.Answer() {
                @Override
                public void answered(int status, String body) {
                    long answeredAt = Latencies.nowMicros();
                    answers.record((System.nanoTime() - begun) / 1_000);
                    if (status == 200 && body.contains("\"ret\":1")) {
                        accepted.incrementAndGet();
                        acceptedAt.put(n, answeredAt);
                    } else {
                        refused.incrementAndGet();
                        note(firstRefusal, status + " " + body);
                    }
                    slots.release();
                }

                @Override
                public void failed(String why) {
                    answers.record((System.nanoTime() - begun) / 1_000);
                    failed.incrementAndGet();
                    note(firstRefusal, why);
                    slots.release();
                }
            });
            c.channel().writeAndFlush(request(target, path, SendStamp.body(t, n)));
        }
        if (!slots.tryAcquire(parallel, 30, TimeUnit.SECONDS)) {
            failed.addAndGet(parallel - slots.availablePermits());
        }
        return new Outcome(sent, accepted.get(), refused.get(), failed.get(), late, answers.snapshot(),
                firstRefusal.toString(), Map.copyOf(acceptedAt));
    }

    private static DefaultFullHttpRequest request(String host, String path, String body) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII);
        DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, content);
        req.headers().set(HttpHeaderNames.HOST, host)
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return req;
    }

    /**
     * An idle connection to {@code target}, or a new one: the caller holds a slot, so at
     * most {@code parallel} are busy, and a free one is always idle or not yet opened.
     * Null when a new connection fails.
     */
    private HttpPushConnection connection(String target) throws InterruptedException {
        ConcurrentLinkedQueue<HttpPushConnection> free = idle.computeIfAbsent(target, k -> new ConcurrentLinkedQueue<>());
        for (HttpPushConnection c = free.poll(); c != null; c = free.poll()) {
            if (c.channel().isActive()) {
                return c;
            }
        }
        return connect(target, free);
    }

    private HttpPushConnection connect(String target, ConcurrentLinkedQueue<HttpPushConnection> free)
            throws InterruptedException {
        HttpPushConnection c = new HttpPushConnection(new HttpPushConnection.Pool() {
            @Override
            public void free(HttpPushConnection connection) {
                free.add(connection);
            }

            @Override
            public void gone(HttpPushConnection connection) {
                free.remove(connection);
            }
        }, timeoutNanos);
        int colon = target.lastIndexOf(':');
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), c);
                    }
                });
        Channel ch = b.connect(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)))
                .awaitUninterruptibly().channel();
        return ch.isActive() ? c : null;
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
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
