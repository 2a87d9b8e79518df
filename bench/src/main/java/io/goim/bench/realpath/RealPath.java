package io.goim.bench.realpath;

import io.goim.bench.ProcessCpu;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.config.InvalidConfigException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The benchmark of the path users run: the real cluster ({@link Cluster}), N goim clients
 * in room 1 ({@link Clients}), pushes over logic's HTTP API at a fixed rate
 * ({@link HttpPusher}), and in the same run the same clients against a minimal Netty
 * fan-out server ({@link Baseline}); prints figures, ratios and target verdicts per
 * scenario (keys and defaults: {@code bench.realpath} in the bench's reference.conf).
 * Every process it starts is stopped when it ends, fails or is interrupted.
 *
 * <p>Run: {@code bench/scripts/realpath.sh [scenario...]}, which builds what is missing and
 * resolves the Kafka broker first.
 */
public final class RealPath {
    private final Settings s;
    private final Processes processes;
    private final Cluster cluster;
    private final Window window;
    private final HttpPusher http;
    private final List<String> summary = new ArrayList<>();

    private RealPath(Settings s, Processes processes) {
        this.s = s;
        this.processes = processes;
        this.cluster = new Cluster(processes, new Cluster.Layout(s.root(), s.runDir(), s.java(), s.kafkaClasspath(), s.cometHeap(),
                s.cometOptions(), Cluster.Ports.REALPATH, null));
        this.window = new Window(s);
        this.http = new HttpPusher(s.httpParallel());
    }

    public static void main(String[] args) throws Exception {
        Settings s;
        try {
            s = Settings.from(ConfigLoader.withDefaults(com.typesafe.config.ConfigFactory.empty()), List.of(args));
        } catch (InvalidConfigException e) {
            System.err.println("realpath: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        Processes.deleteTree(s.runDir());
        Files.createDirectories(s.runDir().resolve("logs"));
        int status = 0;
        try (Processes processes = new Processes()) {
            new RealPath(s, processes).run();
        } catch (Exception e) {
            System.err.println("realpath: FAILED: " + e);
            status = 1;
        }
        System.exit(status);
    }

    private void run() throws Exception {
        System.out.printf("realpath: scenarios %s; warm-up %ds, then on until the JIT compilers use ≤ %.2f of a core"
                        + " (≤ %ds in all); window %ds, drain ≤ %ds; run dir %s%n",
                s.scenarios().stream().map(Scenario::name).toList(), s.warmup().toSeconds(), s.warmupJitQuiet(),
                s.warmupMax().toSeconds(), s.window().toSeconds(), s.drain().toSeconds(), s.runDir());
        System.out.println("realpath: machine: " + Files.readString(Path.of("/proc/loadavg")).trim() + " (load average), "
                + Runtime.getRuntime().availableProcessors() + " cores");
        cluster.start();
        awaitJobDelivers();
        for (Scenario sc : s.scenarios()) {
            System.out.println();
            System.out.println("== " + sc.name() + ": " + sc.describe() + "   [load " + load() + "]");
            summary.add("-- " + sc.name() + ": " + sc.describe());
            switch (sc.kind()) {
                case ROOM, USER -> push(sc);
                case LOGIN -> logins(sc);
                case MEMORY -> memory(sc);
                case HEAL -> heal(sc);
                case FRONT_ROOM, FRONT_USER -> frontDoor(sc);
            }
            cluster.check();
        }
        System.out.println();
        System.out.println("== SUMMARY   [load " + load() + "]");
        summary.forEach(System.out::println);
    }

    /** Job owns its partitions once a user push reaches a client. */
    private void awaitJobDelivers() throws IOException, InterruptedException {
        try (Clients probe = Clients.start(processes, s, "probe", 1, "127.0.0.1:" + cluster.ports().comets().get(0).tcp(), false, 900_001)) {
            probe.awaitLogins(s.loginTimeout());
            URI uri = URI.create("http://127.0.0.1:" + cluster.ports().logicHttp() + "/1/push?uid=900001");
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (probe.sum("pushes") == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("no push reached a client in 120 s; see " + s.runDir().resolve("logs"));
                }
                http.push(uri, 4, Duration.ofMillis(500));
                Thread.sleep(200);
            }
        }
        System.out.println("realpath: job delivers (HTTP → Kafka → job → comet → client)");
    }

    private String target(boolean baseline, boolean websocket) {
        return "127.0.0.1:" + (baseline ? (websocket ? Baseline.WS : Baseline.TCP)
                : (websocket ? cluster.ports().comets().get(0).ws() : cluster.ports().comets().get(0).tcp()));
    }

    private void push(Scenario sc) throws Exception {
        boolean room = sc.kind() == Scenario.Kind.ROOM;
        URI uri = URI.create("http://127.0.0.1:" + cluster.ports().logicHttp() + (room ? "/1/push/room?rid=1" : "/1/push?uid=1"));
        Window.Result ours;
        // User pushes are few: their clients log receipts, so delivery is also timed from the HTTP answer.
        try (Clients c = Clients.start(processes, s, sc.name() + "-cluster", sc.clients(), target(false, sc.websocket()),
                sc.websocket(), 1, s.connectInFlight(), !room)) {
            print("cluster", c.awaitLogins(s.loginTimeout()));
            ours = window.measure("cluster (HTTP → Kafka → job → comet)", len -> http.push(uri, sc.rate(), len),
                    c.statsDir(), cluster.cometPid(), cluster.pidsByName(), room ? 0 : 1,
                    List.of(cluster.comet, cluster.job, cluster.logic), !room);
        }
        Window.Result theirs = null;
        if (sc.baselineBatch() > 0) {
            awaitQuiet();
            try (Baseline b = Baseline.start(processes, s);
                    Clients c = Clients.start(processes, s, sc.name() + "-baseline", sc.clients(),
                            target(true, sc.websocket()), sc.websocket(), 1)) {
                print("minimal server", c.awaitLogins(s.loginTimeout()));
                theirs = window.measure("minimal server (" + (sc.baselineBatch() == 1 ? "unbatched"
                                : sc.baselineBatch() + "-message batches") + ")",
                        len -> {
                            long n = b.push(sc.rate(), sc.baselineBatch(), len.toMillis());
                            return new HttpPusher.Outcome(n, n, 0, 0, 0, null, "", Map.of());
                        }, c.statsDir(), b.pid(), Map.of("minimal server", b.pid()), 0, List.of(), false);
            }
        }
        Report.window(ours).forEach(System.out::println);
        if (theirs != null) {
            Report.window(theirs).forEach(System.out::println);
        }
        List<String> v = Report.verdicts(sc.targets(), ours, theirs);
        v.forEach(System.out::println);
        summary.add(String.format(Locale.ROOT, "  cluster: delivered %,d of %,d, %s, %s per comet CPU-s",
                ours.delivered(), ours.expected(), Report.latency(ours.latency()), Report.num(ours.deliveriesPerCpuSecond())));
        if (ours.accepted() != null) {
            summary.add("  cluster, accepted (HTTP answer) → client: " + Report.latency(ours.accepted().latency()));
        }
        if (theirs != null) {
            summary.add(String.format(Locale.ROOT, "  minimal: delivered %,d of %,d, %s, %s per CPU-s",
                    theirs.delivered(), theirs.expected(), Report.latency(theirs.latency()),
                    Report.num(theirs.deliveriesPerCpuSecond())));
        }
        summary.addAll(v);
        awaitQuiet();
    }

    private void logins(Scenario sc) throws Exception {
        Clients.Logins ours;
        try (Clients c = Clients.start(processes, s, sc.name() + "-cluster", sc.clients(), target(false, sc.websocket()),
                sc.websocket(), 1, sc.clients())) {
            ours = c.awaitLogins(s.loginTimeout());
            print("cluster", ours);
        }
        awaitQuiet();
        try (Baseline b = Baseline.start(processes, s);
                Clients c = Clients.start(processes, s, sc.name() + "-baseline", sc.clients(), target(true, sc.websocket()),
                        sc.websocket(), 1, sc.clients())) {
            Clients.Logins theirs = c.awaitLogins(s.loginTimeout());
            print("minimal server", theirs);
            summary.add("  minimal: " + loginLine(theirs));
        }
        summary.add("  cluster: " + loginLine(ours));
        if (sc.targets().loginFailures() >= 0) {
            String v = Report.verdict("failed logins ≤ " + sc.targets().loginFailures(),
                    ours.failedAttempts() + " failed attempts, " + ours.gaveUp() + " given up",
                    ours.failedAttempts() <= sc.targets().loginFailures() && ours.authed() == sc.clients());
            System.out.println(v);
            summary.add(v);
        }
        awaitQuiet();
    }

    private void memory(Scenario sc) throws Exception {
        double ours = heapPerConnection(sc, "cluster", cluster.cometPid(), false);
        double theirs;
        try (Baseline b = Baseline.start(processes, s)) {
            theirs = heapPerConnection(sc, "minimal server", b.pid(), true);
        }
        String line = String.format(Locale.ROOT, "  heap per idle connection: cluster (comet) %s B, minimal server %s B, ratio %s×",
                Report.num(ours), Report.num(theirs), Report.num(Report.ratio(ours, theirs)));
        System.out.println(line);
        summary.add(line);
        if (!Double.isNaN(sc.targets().heapBytes())) {
            String v = Report.verdict("heap per idle connection ≤ " + Report.num(sc.targets().heapBytes()) + " B",
                    Report.num(ours) + " B", ours <= sc.targets().heapBytes());
            System.out.println(v);
            summary.add(v);
        }
        awaitQuiet();
    }

    private void heal(Scenario sc) throws Exception {
        RouterHeal.Result r;
        try (Clients c = Clients.start(processes, s, sc.name() + "-cluster", sc.clients(), target(false, false), false, 1)) {
            print("cluster", c.awaitLogins(s.loginTimeout()));
            r = RouterHeal.run(cluster, c, window, http, sc.clients(), sc.rate(), s.routerDown(), s.loginTimeout());
        }
        String line = "  " + RouterHeal.describe(r);
        System.out.println(line);
        summary.add(line);
        List<String> v = new ArrayList<>();
        if (!Double.isNaN(sc.targets().healMillis())) {
            v.add(Report.verdict("every session relearned ≤ " + Report.num(sc.targets().healMillis())
                    + " ms after the router is ready", Report.num(r.healMillis()) + " ms", r.healMillis() <= sc.targets().healMillis()));
        }
        v.add(Report.verdict("no push answered ret 1 and lost", String.format(Locale.ROOT, "%,d accepted, %,d delivered",
                r.accepted(), r.delivered()), r.delivered() >= r.accepted()));
        v.forEach(System.out::println);
        summary.addAll(v);
        awaitQuiet();
    }

    private void frontDoor(Scenario sc) throws Exception {
        boolean room = sc.kind() == Scenario.Kind.FRONT_ROOM;
        // Room 2 has no members: the backlog of a million room pushes must not reach the next
        // scenario's clients in room 1.
        URI uri = URI.create("http://127.0.0.1:" + cluster.ports().logicHttp() + (room ? "/1/push/room?rid=2" : "/1/push?uid=1"));
        FrontDoor.Result r;
        // The clients (user 1 first) make user pushes real: each is looked up in the router and becomes a Kafka record.
        try (Clients c = Clients.start(processes, s, sc.name() + "-cluster", sc.clients(), target(false, sc.websocket()),
                sc.websocket(), 1)) {
            print("cluster", c.awaitLogins(s.loginTimeout()));
            r = FrontDoor.run(cluster, s.runDir(), uri, sc.connections(), s.warmup(), s.window());
        }
        String line = "  " + FrontDoor.describe(r);
        System.out.println(line);
        summary.add(line);
        if (!Double.isNaN(sc.targets().acceptedPerSecond())) {
            String v = Report.verdict("accepted pushes/s ≥ " + Report.num(sc.targets().acceptedPerSecond())
                            + " (ret 1 after Kafka's ack)", Report.num(r.acceptedPerSecond()) + "/s, p99 " + Report.num(r.p99Millis()) + " ms",
                    r.acceptedPerSecond() >= sc.targets().acceptedPerSecond() && r.refused() == 0 && r.errors() == 0);
            System.out.println(v);
            summary.add(v);
        }
        awaitJobCaughtUp();
        awaitQuiet();
    }

    /**
     * Waits (≤ 180 s) until job has consumed everything (its consumer lag is 0): the front door
     * accepts pushes faster than they are delivered, and the next scenario must not share the
     * cores with that backlog.
     */
    private void awaitJobCaughtUp() throws IOException, InterruptedException {
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(180).toNanos();
        double lag = cluster.job.metric("goim_job_consumer_lag{service=\"job\"}");
        while (!(lag == 0) && System.nanoTime() < deadline) {
            Thread.sleep(500);
            lag = cluster.job.metric("goim_job_consumer_lag{service=\"job\"}");
        }
        System.out.printf(Locale.ROOT, "  job's backlog %s after %.0f s%n", lag == 0 ? "delivered" : "still " + lag + " records",
                (System.nanoTime() - start) / 1e9);
    }

    /** Live heap after a full GC with and without {@code clients} idle connections, per connection. */
    private double heapPerConnection(Scenario sc, String server, long pid, boolean baseline) throws Exception {
        // Warm-up: load and compile the connection path so the empty reading is not flattered.
        try (Clients w = Clients.start(processes, s, sc.name() + "-warmup-" + (baseline ? "baseline" : "cluster"),
                Math.min(1000, sc.clients()), target(baseline, sc.websocket()), sc.websocket(), 1)) {
            w.awaitLogins(s.loginTimeout());
        }
        awaitQuiet();
        long[] empty = heap(pid);
        try (Clients c = Clients.start(processes, s, sc.name() + "-" + (baseline ? "baseline" : "cluster"), sc.clients(),
                target(baseline, sc.websocket()), sc.websocket(), 1)) {
            Clients.Logins l = c.awaitLogins(s.loginTimeout());
            print(server, l);
            Thread.sleep(5000);
            long[] full = heap(pid);
            long open = c.sum("open");
            double perConn = (full[0] - empty[0]) / (double) open;
            System.out.printf(Locale.ROOT, "  %s: live heap %,d B empty, %,d B with %,d connections → %,.0f B each; "
                            + "RSS %+,d KiB (%,.0f B each)%n", server, empty[0], full[0], open, perConn,
                    full[1] - empty[1], (full[1] - empty[1]) * 1024.0 / open);
            return perConn;
        }
    }

    /** {live heap bytes after a full GC, RSS KiB} of {@code pid}, read by bench/scripts/heap.sh. */
    private long[] heap(long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", s.root().resolve("bench/scripts/heap.sh").toString(), Long.toString(pid))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        long live = -1;
        long rss = -1;
        for (String kv : out.split("\\s+")) {
            if (kv.startsWith("live_bytes=")) {
                live = Long.parseLong(kv.substring("live_bytes=".length()));
            } else if (kv.startsWith("rss_kb=")) {
                rss = Long.parseLong(kv.substring("rss_kb=".length()));
            }
        }
        if (live < 0) {
            throw new IOException("heap.sh " + pid + ": " + out);
        }
        return new long[] {live, rss};
    }

    /** Waits (≤ 60 s) until the cluster's processes together use < 10 % of a core, so one measurement does not pay for the last. */
    private void awaitQuiet() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            double a = cpu(cluster.pidsByName().values());
            Thread.sleep(1000);
            if (cpu(cluster.pidsByName().values()) - a < 0.1) {
                return;
            }
        }
        System.out.println("  (cluster still busy after 60 s; going on)");
    }

    private static double cpu(Collection<Long> pids) throws IOException {
        double t = 0;
        for (long pid : pids) {
            t += ProcessCpu.of(pid).total();
        }
        return t;
    }

    private static void print(String server, Clients.Logins l) {
        System.out.println("  logins at " + server + ": " + loginLine(l));
    }

    private static String loginLine(Clients.Logins l) {
        return String.format(Locale.ROOT, "%,d logged in after %.1f s, %,d failed attempts, %,d given up; "
                        + "login (connect → op 8) p50 %s / p99 %s / max %s ms", l.authed(), l.seconds(), l.failedAttempts(),
                l.gaveUp(), Report.num(Report.millis(l.latency(), 50)), Report.num(Report.millis(l.latency(), 99)),
                Report.num(Report.maxMillis(l.latency())));
    }

    private static String load() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

}
