package io.goim.bench.scaleout;

import io.goim.client.Backoff;
import io.goim.client.GoimClient;
import io.goim.client.PushListener;
import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * One client connection of the suite (goim's Java client, TCP or WebSocket) on one comet,
 * as user {@code uid} in {@code room} (negative: no room). Counts every push it gets by
 * kind and number, and remembers since when it has been authenticated and how often it
 * lost its connection (the suite kills nothing a client is connected to: a loss is a fault).
 *
 * <p>Listener calls come from the client's event loop, reads from the suite's thread;
 * state is guarded by {@code this}. Memory: one map entry per push received.
 */
final class Subscriber implements AutoCloseable {
    final long uid;
    final long room;
    /** Index of its comet in the cluster (0 = server id 1). */
    final int comet;
    final boolean webSocket;
    private final GoimClient client;
    /** Times each push arrived, by {@link #key}. */
    private final Map<Long, Integer> received = new HashMap<>();
    private long upSince = -1;
    private int disconnects;
    private long unparsed;

    Subscriber(long uid, long room, int comet, boolean webSocket, String hostPort, String token, EventLoopGroup group) {
        this.uid = uid;
        this.room = room;
        this.comet = comet;
        this.webSocket = webSocket;
        String[] hp = hostPort.split(":");
        GoimClient.Builder b = webSocket
                ? GoimClient.webSocket(URI.create("ws://" + hostPort + "/sub"))
                : GoimClient.tcp(hp[0], Integer.parseInt(hp[1]));
        client = b.token(token).heartbeat(Duration.ofSeconds(30))
                .backoff(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2))).eventLoopGroup(group)
                .listener(new Listener()).build();
    }

    static long key(Push.Kind kind, int seq) {
        return ((long) kind.ordinal() << 32) | seq;
    }

    void start() {
        client.start();
    }

    /** Authenticated now, and since {@code at} ({@link System#nanoTime}) or earlier. */
    synchronized boolean upSince(long at) {
        return upSince >= 0 && upSince <= at;
    }

    synchronized boolean up() {
        return upSince >= 0;
    }

    synchronized int disconnects() {
        return disconnects;
    }

    /** How many times push {@code kind}/{@code seq} arrived. */
    synchronized int times(Push.Kind kind, int seq) {
        return received.getOrDefault(key(kind, seq), 0);
    }

    /** Every push received, by {@link #key}, with how many times. */
    synchronized Map<Long, Integer> received() {
        return new HashMap<>(received);
    }

    synchronized long unparsed() {
        return unparsed;
    }

    private synchronized void onPush(byte[] body) {
        int[] p = Push.parse(new String(body, StandardCharsets.UTF_8));
        if (p == null) {
            unparsed++;
            return;
        }
        received.merge(key(Push.Kind.values()[p[0]], p[1]), 1, Integer::sum);
    }

    private synchronized void onUp() {
        upSince = System.nanoTime();
    }

    private synchronized void onDown() {
        if (upSince >= 0) {
            disconnects++;
        }
        upSince = -1;
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "user " + uid + (room >= 0 ? " room " + room : " no room") + " on comet " + (comet + 1)
                + (webSocket ? " (WebSocket)" : " (TCP)");
    }

    private final class Listener implements PushListener {
        @Override
        public void onAuthenticated() {
            onUp();
        }

        @Override
        public void onPush(int op, byte[] body) {
            Subscriber.this.onPush(body);
        }

        @Override
        public void onDisconnected(Throwable cause, long retryInMillis) {
            onDown();
        }
    }
}
