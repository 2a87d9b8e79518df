package io.goim.bench.faults;

import io.goim.client.Backoff;
import io.goim.client.GoimClient;
import io.goim.client.PushListener;
import io.netty.channel.EventLoopGroup;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * One goim client of the fault suite (goim's Java client library, TCP or WebSocket) that
 * fails over: when its connection is lost it reconnects to the next comet of its list
 * (the comet it was on may be dead) and records every push it gets, per kind, by the
 * sequence number in the body ({@link Push#parse}). Remembers since when its current
 * session has been up, so the suite knows whether it was connected throughout a window.
 *
 * <p>Listener calls come from the client's event loop; everything else from the suite's
 * thread; state is guarded by {@code this}.
 */
final class Member implements AutoCloseable {
    final long uid;
    final boolean webSocket;
    private final List<String> targets;
    private final EventLoopGroup group;
    private final Executor switcher;
    private final Arrivals arrivals;
    private final Received[] received = new Received[Push.Kind.values().length];
    private int target;
    private GoimClient client;
    /** {@link System#nanoTime} of the current session's auth, or -1 while not connected. */
    private long upSince = -1;
    private int sessions;
    private boolean closed;

    /**
     * {@code targets}: {@code host:port} of each comet, in the order tried; the first is
     * its home. {@code switcher}: where a lost client is replaced (not its event loop).
     */
    Member(long uid, boolean webSocket, List<String> targets, EventLoopGroup group, Executor switcher, Arrivals arrivals) {
        this.uid = uid;
        this.webSocket = webSocket;
        this.targets = List.copyOf(targets);
        this.group = group;
        this.switcher = switcher;
        this.arrivals = arrivals;
        for (int i = 0; i < received.length; i++) {
            received[i] = new Received();
        }
    }

    synchronized void start() {
        if (closed) {
            return;
        }
        String[] hp = targets.get(target).split(":");
        GoimClient.Builder b = webSocket
                ? GoimClient.webSocket(URI.create("ws://" + hp[0] + ":" + hp[1] + "/sub"))
                : GoimClient.tcp(hp[0], Integer.parseInt(hp[1]));
        Listener l = new Listener();
        GoimClient c = b.token(Long.toString(uid)).heartbeat(Duration.ofSeconds(10))
                .backoff(new Backoff(Duration.ofMillis(200), Duration.ofSeconds(2))).eventLoopGroup(group)
                .listener(l).build();
        l.owner = c;
        client = c;
        c.start();
    }

    /** The comet it is on now (index in its targets). */
    synchronized int target() {
        return target;
    }

    synchronized int sessions() {
        return sessions;
    }

    /** True if its current session was up before {@code since} (nanoTime) and still is. */
    synchronized boolean upSince(long since) {
        return upSince >= 0 && upSince <= since;
    }

    synchronized boolean has(Push.Kind kind, int seq) {
        return received[kind.ordinal()].has(seq);
    }

    synchronized long duplicates(Push.Kind kind) {
        return received[kind.ordinal()].duplicates();
    }

    synchronized long outOfOrder(Push.Kind kind, BitSet counted) {
        return received[kind.ordinal()].outOfOrder(counted);
    }

    private synchronized void onPush(byte[] body) {
        Push p = Push.parse(new String(body, StandardCharsets.UTF_8));
        if (p != null) {
            received[p.kind().ordinal()].add(p.seq());
            arrivals.arrived(p);
        }
    }

    private synchronized void onUp() {
        upSince = System.nanoTime();
        sessions++;
    }

    /** Lost: not connected any more; the client is replaced by one to the next comet. */
    private synchronized void onDown(GoimClient from) {
        upSince = -1;
        if (closed || from != client) {
            return;
        }
        client = null;
        target = (target + 1) % targets.size();
        switcher.execute(() -> {
            from.close();
            start();
        });
    }

    @Override
    public void close() {
        GoimClient c;
        synchronized (this) {
            closed = true;
            c = client;
            client = null;
        }
        if (c != null) {
            c.close();
        }
    }

    private final class Listener implements PushListener {
        /** The client this listener belongs to (set before it starts). */
        volatile GoimClient owner;

        @Override
        public void onAuthenticated() {
            onUp();
        }

        @Override
        public void onPush(int op, byte[] body) {
            Member.this.onPush(body);
        }

        @Override
        public void onDisconnected(Throwable cause, long retryInMillis) {
            if (retryInMillis >= 0) {
                onDown(owner);
            }
        }
    }
}
