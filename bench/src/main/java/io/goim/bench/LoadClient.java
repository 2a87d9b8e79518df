package io.goim.bench;

import io.goim.libs.config.ConfigLoader;
import io.goim.libs.config.InvalidConfigException;
import io.goim.protocol.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The load client: opens {@code bench.load.connections} goim TCP connections to one or
 * more comets, each from one of several loopback source addresses (each address has its
 * own ephemeral ports), authenticates them, keeps them alive with heartbeats and counts
 * the pushes they receive, for {@code bench.load.duration}; then closes them and exits.
 *
 * <p>Prints a report line every {@code report-every} and a {@code FINAL} line at the end:
 * <pre>
 * t=10s open=19000 connected=19000 connectFailed=0 authed=19000 authFailed=0 dropped=0
 *       pushes=1234567 heartbeatReplies=31 protocolErrors=0 pushesPerSec=123456
 * </pre>
 * Several processes are needed beyond ~19,500 connections (20,000 open files per process);
 * {@code bench/scripts/load.sh} starts them and sums their stats files.
 *
 * <p>Run: {@code java -Dbench.load.connections=19000 -cp bench/target/bench-*.jar io.goim.bench.LoadClient}
 */
public final class LoadClient {
    /** Whether the run is over, so that closes are no longer counted as drops. Thread-safe. */
    static final class Lifecycle {
        private volatile boolean stopping;

        boolean stopping() {
            return stopping;
        }

        void stop() {
            stopping = true;
        }
    }

    private LoadClient() {
    }

    public static void main(String[] args) throws Exception {
        LoadConfig config;
        try {
            config = LoadConfig.from(ConfigLoader.load(args));
        } catch (InvalidConfigException e) {
            System.err.println("bench: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        run(config);
    }

    static void run(LoadConfig config) throws Exception {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.group(config.threads(), "load");
        LoadStats stats = new LoadStats(config.logReceipts());
        Lifecycle lifecycle = new Lifecycle();
        ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "load-stats");
            t.setDaemon(true);
            return t;
        });
        if (config.statsFile() != null) {
            reporter.scheduleAtFixedRate(() -> writeStats(stats, config), 0, 500, TimeUnit.MILLISECONDS);
        }
        long start = System.nanoTime();
        long end = start + config.duration().toNanos();
        System.out.printf("load: %s transport, %d connections to %s from %s, run %ds%n", transport,
                config.connections(), config.targets(), config.sources(), config.duration().toSeconds());
        Connector connecting = new Connector(config, transport, group, stats, lifecycle, channels);
        Thread connector = new Thread(() -> connecting.connectAll(end), "load-connect");
        connector.setDaemon(true);
        connector.start();
        long lastPushes = 0;
        long lastAt = start;
        try {
            while (true) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                Thread.sleep(Math.min(config.reportEvery().toMillis(), TimeUnit.NANOSECONDS.toMillis(end - now) + 1));
                now = System.nanoTime();
                long pushes = stats.pushes.sum();
                double rate = (pushes - lastPushes) * 1e9 / Math.max(1, now - lastAt);
                lastPushes = pushes;
                lastAt = now;
                System.out.println(line("t=" + TimeUnit.NANOSECONDS.toSeconds(now - start) + "s", stats.snapshot(), rate));
            }
        } finally {
            lifecycle.stop();
            connector.interrupt();
            Map<String, Long> last = stats.snapshot();
            channels.close().awaitUninterruptibly(30, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
            reporter.shutdownNow();
            if (config.statsFile() != null) {
                writeStats(stats, config);
            }
            double avg = last.get("pushes") * 1e9 / Math.max(1, System.nanoTime() - start);
            System.out.println(line("FINAL", last, avg));
        }
    }

    private static void writeStats(LoadStats stats, LoadConfig config) {
        try {
            stats.write(config.statsFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String line(String prefix, Map<String, Long> values, double pushesPerSec) {
        StringBuilder b = new StringBuilder(prefix);
        values.forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        return b.append(" pushesPerSec=").append(Math.round(pushesPerSec)).toString();
    }
}
