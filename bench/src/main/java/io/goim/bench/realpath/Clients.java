package io.goim.bench.realpath;

import io.goim.bench.StatsDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * N goim clients in room 1, as {@code io.goim.bench.LoadClient} processes (one per 19,000
 * connections: a process may hold 20,000 open files), all started at once; each keeps at
 * most {@code in-flight} logins under way (the login scenario: all at once, a storm).
 * Process j authenticates users {@code 1 + j·per …} and binds its sockets to its own four
 * loopback source addresses {@code 127.<set>.<j>.1..4}; every set of clients gets a new
 * {@code <set>}, so ports left in TIME_WAIT by an earlier set never collide.
 */
final class Clients implements AutoCloseable {
    static final int PER_PROCESS = 19_000;
    private static int sets;

    private final Processes processes;
    private final List<Processes.Started> started = new ArrayList<>();
    private final Path statsDir;
    private final int total;

    /** Login outcome of a set of clients. */
    record Logins(long authed, long failedAttempts, long gaveUp, long dropped, Histogram latency, double seconds) {
    }

    private Clients(Processes processes, Path statsDir, int total) {
        this.processes = processes;
        this.statsDir = statsDir;
        this.total = total;
    }

    /**
     * Starts {@code n} clients to {@code target} ({@code host:port}); WebSocket ({@code /sub})
     * when {@code websocket}. Returns at once; see {@link #awaitLogins}.
     */
    static synchronized Clients start(Processes processes, Settings s, String name, int n, String target,
            boolean websocket, long firstUser) throws IOException {
        return start(processes, s, name, n, target, websocket, firstUser, s.connectInFlight());
    }

    /** As above, with at most {@code inFlight} logins under way per process ({@code n}: all at once, a storm). */
    static synchronized Clients start(Processes processes, Settings s, String name, int n, String target,
            boolean websocket, long firstUser, int inFlight) throws IOException {
        return start(processes, s, name, n, target, websocket, firstUser, inFlight, false);
    }

    /**
     * As above; {@code receipts}: the clients log each push's sequence and receive time
     * ({@code bench.load.log-receipts}) next to their stats, for {@link AcceptedLatency}.
     */
    static synchronized Clients start(Processes processes, Settings s, String name, int n, String target,
            boolean websocket, long firstUser, int inFlight, boolean receipts) throws IOException {
        int set = ++sets;
        Path dir = s.runDir().resolve("clients").resolve(set + "-" + name);
        Files.createDirectories(dir.resolve("stats"));
        Clients c = new Clients(processes, dir.resolve("stats"), n);
        int k = (n + PER_PROCESS - 1) / PER_PROCESS;
        for (int j = 0; j < k; j++) {
            int per = Math.min(PER_PROCESS, n - j * PER_PROCESS);
            List<String> cmd = new ArrayList<>(List.of(s.java(), "-Xmx" + (websocket ? "1g" : "512m"), "-XX:+UseSerialGC",
                    "-Dbench.load.targets.0=" + target, "-Dbench.load.connections=" + per,
                    "-Dbench.load.first-user-id=" + (firstUser + (long) j * PER_PROCESS),
                    "-Dbench.load.in-flight=" + Math.min(per, inFlight), "-Dbench.load.duration=3600s", "-Dbench.load.report-every=60s",
                    "-Dbench.load.stats-file=" + c.statsDir.resolve("load-" + j + ".stats")));
            for (int a = 0; a < 4; a++) {
                cmd.add("-Dbench.load.sources." + a + "=127." + set + "." + (j + 1) + "." + (a + 1));
            }
            if (websocket) {
                cmd.add("-Dbench.load.websocket-path=/sub");
            }
            if (receipts) {
                cmd.add("-Dbench.load.log-receipts=true");
            }
            cmd.addAll(List.of("-cp", s.benchJar().toString(), "io.goim.bench.LoadClient"));
            c.started.add(processes.start("clients-" + set + "-" + j, cmd, dir.resolve("load-" + j + ".out")));
        }
        return c;
    }

    Path statsDir() {
        return statsDir;
    }

    long sum(String key) throws IOException {
        return StatsDir.sum(statsDir, key);
    }

    /** Waits until every client has logged in or given up (or {@code timeout}); returns the outcome. */
    Logins awaitLogins(Duration timeout) throws IOException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (sum("authed") + sum("gaveUp") >= total) {
                break;
            }
            for (Processes.Started p : started) {
                if (!p.alive()) {
                    throw new IOException(p.name() + " exited; see its .out file under " + statsDir.getParent());
                }
            }
            Thread.sleep(250);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Thread.sleep(600); // one more stats write, so the login histogram holds the last logins
        return new Logins(sum("authed"), sum("authFailed") + sum("connectFailed"), sum("gaveUp"), sum("dropped"),
                StatsDir.histogram(statsDir, "login"), seconds);
    }

    @Override
    public void close() {
        for (Processes.Started p : started) {
            processes.stop(p);
        }
    }
}
