package io.goim.bench.faults;

import io.goim.bench.realpath.Admin;
import io.goim.bench.realpath.Cluster;
import io.goim.bench.realpath.Processes;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.config.InvalidConfigException;
import io.goim.protocol.Transport;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The fault suite: the real processes (Kafka, router, logic, two comets, job; {@link Cluster}),
 * TCP and WebSocket clients in room 1 on both comets ({@link Member}, failing over to the
 * other comet), steady streams of room, user and broadcast pushes over HTTP
 * ({@link PushStream}); then each service of {@code kills} in turn is killed with
 * {@code kill -9}, left down, restarted. Pushes are counted in windows: a window runs from
 * the end of the previous one to the end of its kill (steady, down, restart, after), and a
 * push belongs to the window its {@code {"ret":1}} answer came in. After each window the
 * suite waits until every client connected throughout the window has every accepted push of
 * the window (or {@code drain} passes) and reports per kind: accepted, delivered, lost
 * (must be 0), duplicates, room order, the recovery time, and the counters that moved.
 */
public final class FaultSuite {
    private final FaultSettings s;
    private final Cluster cluster;
    private final EventLoopGroup group = Transport.best().group(2, "fault-clients");
    private final ExecutorService switcher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fault-failover");
        t.setDaemon(true);
        return t;
    });
    private final Arrivals arrivals = new Arrivals();
    private final List<Member> members = new ArrayList<>();
    private final List<Member> userMembers = new ArrayList<>();
    private final Map<Push.Kind, PushStream> streams = new LinkedHashMap<>();
    private long nextUid = 10_001;

    FaultSuite(FaultSettings s, Processes processes, Cluster.Ports ports) {
        this.s = s;
        this.cluster = new Cluster(processes, new Cluster.Layout(s.root(), s.runDir(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), s.kafkaClasspath(), "256m", "",
                ports, s.jobStaticMember() ? s.runDir().resolve("job.conf") : null));
    }

    public static void main(String[] args) throws Exception {
        FaultSettings s;
        try {
            s = FaultSettings.from(ConfigLoader.withDefaults(com.typesafe.config.ConfigFactory.empty()));
        } catch (InvalidConfigException e) {
            System.err.println("faults: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        int status;
        try (Processes processes = new Processes()) {
            List<KillResult> results = new FaultSuite(s, processes, Cluster.Ports.range(s.portBase(), 2)).run();
            status = results.stream().allMatch(KillResult::ok) ? 0 : 1;
        } catch (Exception e) {
            System.err.println("faults: FAILED: " + e);
            e.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }

    /** Runs the suite; returns one result per kill (printed as it goes). */
    List<KillResult> run() throws Exception {
        Processes.deleteTree(s.runDir());
        Files.createDirectories(s.runDir().resolve("logs"));
        if (s.jobStaticMember()) {
            // Static group membership: a job restarted with the same instance id takes its
            // partitions back at once instead of after the dead member's session timeout.
            Files.writeString(s.runDir().resolve("job.conf"),
                    "job.kafka.properties { \"group.instance.id\" = \"job-1\" }\n");
        }
        List<KillResult> results = new ArrayList<>();
        try {
            cluster.start();
            startMembers();
            startStreams();
            long windowStart = System.nanoTime() + s.warmup().toNanos();
            Thread.sleep(s.warmup().toMillis());
            for (String kill : s.kills()) {
                KillResult r = window(kill, windowStart);
                results.add(r);
                windowStart = r.end();
                cluster.check();
            }
        } finally {
            for (PushStream p : streams.values()) {
                p.stop();
            }
            members.forEach(Member::close);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            switcher.shutdownNow();
        }
        System.out.println();
        System.out.println("faults: SUMMARY");
        System.out.println(KindResult.header());
        for (KillResult r : results) {
            r.kinds().forEach(k -> System.out.println(k.row(r.service())));
        }
        for (KillResult r : results) {
            System.out.printf("faults: %-6s ready %5d ms after restart; %d clients reconnected (excluded); counters %s; %s%n",
                    r.service(), r.readyMillis(), r.reconnected(), r.counters(),
                    r.ok() ? "OK" : "PROBLEMS " + r.problems());
        }
        return results;
    }

    private void startMembers() throws InterruptedException {
        int comets = cluster.ports().comets().size();
        for (int c = 0; c < comets; c++) {
            addMembers(c, s.tcpPerComet(), s.wsPerComet());
        }
        // Every n-th client also gets the user pushes: TCP and WebSocket, on both comets.
        int step = Math.max(1, members.size() / s.users());
        for (int i = 0; i < members.size() && userMembers.size() < s.users(); i += step) {
            userMembers.add(members.get(i));
        }
        awaitAllUp();
    }

    /** Starts clients on comet {@code c}, each failing over to the next comets. */
    private void addMembers(int c, int tcp, int ws) {
        int comets = cluster.ports().comets().size();
        for (int i = 0; i < tcp + ws; i++) {
            boolean web = i >= tcp;
            List<String> targets = new ArrayList<>();
            for (int k = 0; k < comets; k++) {
                Cluster.CometPorts p = cluster.ports().comets().get((c + k) % comets);
                targets.add("127.0.0.1:" + (web ? p.ws() : p.tcp()));
            }
            Member m = new Member(nextUid++, web, targets, group, switcher, arrivals);
            members.add(m);
            m.start();
        }
    }

    private void awaitAllUp() throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (members.stream().anyMatch(m -> !m.upSince(System.nanoTime()))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("clients not connected after 60 s");
            }
            Thread.sleep(50);
        }
        System.out.println("faults: " + members.size() + " clients connected (" + userMembers.size()
                + " also receive user pushes)");
    }

    private void startStreams() {
        String base = "http://127.0.0.1:" + cluster.ports().logicHttp();
        streams.put(Push.Kind.ROOM, new PushStream(Push.Kind.ROOM, URI.create(base + "/1/push/room?rid=1"), s.roomRate(),
                s.httpTimeout()));
        streams.put(Push.Kind.USER, new PushStream(Push.Kind.USER, URI.create(base + "/1/pushs"), s.userRate(),
                s.httpTimeout()));
        streams.put(Push.Kind.BROADCAST, new PushStream(Push.Kind.BROADCAST, URI.create(base + "/1/push/all"),
                s.broadcastRate(), s.httpTimeout()));
        String uids = String.join(",", userMembers.stream().map(m -> Long.toString(m.uid)).toList());
        streams.get(Push.Kind.ROOM).start("");
        streams.get(Push.Kind.USER).start("{\"u\":[" + uids + "],\"m\":");
        streams.get(Push.Kind.BROADCAST).start("");
    }

    /** Counters whose movement shows a loss or a fault; summed over comets. */
    private Map<String, Double> counters() {
        Map<String, Double> m = new LinkedHashMap<>();
        add(m, "job.givenUp", cluster.job, "goim_job_comet_given_up");
        add(m, "job.consumerRestarts", cluster.job, "goim_job_consumer_restarts");
        add(m, "job.consumed", cluster.job, "goim_job_consumed");
        for (Admin c : cluster.comets()) {
            add(m, c.name() + ".dropped", c, "goim_comet_pushes_total{outcome=\"dropped\"");
            add(m, c.name() + ".slowConsumers", c, "goim_comet_protocol_errors_total{kind=\"slow_consumer\"");
            add(m, c.name() + ".refused", c, "goim_comet_push_refused");
        }
        return m;
    }

    private static void add(Map<String, Double> into, String key, Admin admin, String prefix) {
        try {
            double sum = admin.metrics(true).entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .mapToDouble(Map.Entry::getValue).sum();
            into.merge(key, sum, Double::sum);
        } catch (IOException e) {
            into.merge(key, Double.NaN, Double::sum);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One window from {@code start}: steady, kill -9, down, restart, ready, after; then waits
     * up to {@code drain} for the window's accepted pushes and counts them.
     */
    private KillResult window(String kill, long start) throws Exception {
        String service = kill.equals("comet") ? Cluster.cometName(0) : kill;
        System.out.println();
        System.out.println("faults: == " + kill + ": steady " + s.steady().toSeconds() + " s, kill -9 " + service
                + " (pid " + cluster.pid(service) + "), down " + s.down().toSeconds() + " s, restart");
        Map<String, Double> before = counters();
        long[] dupsBefore = duplicates();
        List<Member> present = List.copyOf(members);
        Thread.sleep(s.steady().toMillis());
        cluster.kill(service);
        long killedAt = System.nanoTime();
        Thread.sleep(s.down().toMillis());
        long restartAt = System.nanoTime();
        cluster.restart(service);
        cluster.awaitUp(service);
        long readyMillis = (System.nanoTime() - restartAt) / 1_000_000;
        System.out.printf("faults: %s down %.1f s, ready %d ms after its restart (pid %d)%n", service,
                (restartAt - killedAt) / 1e9, readyMillis, cluster.pid(service));
        if (kill.equals("comet")) {
            // Its clients moved to the other comet; new ones fill it again (counted from the next window).
            addMembers(0, s.tcpPerComet(), s.wsPerComet());
        }
        Thread.sleep(s.after().toMillis());
        long end = System.nanoTime();

        Map<Push.Kind, BitSet> accepted = new LinkedHashMap<>();
        for (PushStream p : streams.values()) {
            accepted.put(p.kind(), p.acceptedBetween(start, end));
        }
        long deadline = System.nanoTime() + s.drain().toNanos();
        while (missing(accepted, start) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        long drainedMillis = (System.nanoTime() - end) / 1_000_000;
        long[] dupsAfter = duplicates();
        List<KindResult> kinds = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (PushStream p : streams.values()) {
            Push.Kind k = p.kind();
            BitSet acc = accepted.get(k);
            List<Member> eligible = eligible(k, start);
            long expected = (long) acc.cardinality() * eligible.size();
            long delivered = 0;
            long order = 0;
            for (Member m : eligible) {
                for (int q = acc.nextSetBit(0); q >= 0; q = acc.nextSetBit(q + 1)) {
                    if (m.has(k, q)) {
                        delivered++;
                    }
                }
                if (k == Push.Kind.ROOM) {
                    order += m.outOfOrder(k, acc);
                }
            }
            int first = p.firstSentFrom(restartAt);
            long arrived = first < 0 ? -1 : arrivals.earliestFrom(k, first);
            int[] sent = p.sentBetween(start, end);
            KindResult r = new KindResult(k, sent[0], sent[1], acc.cardinality(), eligible.size(), expected, delivered,
                    expected - delivered, dupsAfter[k.ordinal()] - dupsBefore[k.ordinal()], order,
                    arrived < 0 ? -1 : (arrived - restartAt) / 1_000_000);
            kinds.add(r);
            if (r.lost() > 0) {
                problems.add(r.lost() + " accepted " + k.label() + " pushes lost");
            }
            if (order > 0) {
                problems.add(order + " " + k.label() + " pushes out of order");
            }
            if (eligible.isEmpty() || acc.isEmpty()) {
                problems.add("nothing to check for " + k.label() + " pushes (" + eligible.size() + " clients, "
                        + acc.cardinality() + " accepted; last refusal: " + p.lastRefusal() + ")");
            }
        }
        Map<String, Double> after = counters();
        Map<String, Double> moved = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : after.entrySet()) {
            // A restarted service's counters start again from 0.
            boolean restarted = e.getKey().startsWith(service + ".");
            double d = restarted ? e.getValue() : e.getValue() - before.getOrDefault(e.getKey(), 0.0);
            if (d != 0) {
                moved.put(e.getKey(), d);
            }
        }
        moved.forEach((key, d) -> {
            if (key.endsWith(".dropped") && d > 0) {
                problems.add(key + " +" + d);
            }
            if (key.equals("job.givenUp") && d > 0 && !kill.equals("comet")) {
                problems.add("job gave up " + d + " comet calls with every comet up");
            }
        });
        int reconnected = (int) present.stream().filter(m -> !m.upSince(start)).count();
        KillResult result = new KillResult(kill, readyMillis, List.copyOf(kinds), moved, reconnected, List.copyOf(problems),
                end);
        System.out.println("faults: window " + (end - start) / 1_000_000 + " ms, checked " + drainedMillis
                + " ms after its end");
        System.out.println(KindResult.header());
        kinds.forEach(k -> System.out.println(k.row(kill)));
        System.out.println("faults: counters moved " + moved + "; " + reconnected + " clients reconnected (excluded); "
                + (result.ok() ? "OK" : "PROBLEMS " + problems));
        return result;
    }

    /** The clients that must have every push of {@code kind} accepted from {@code start} on. */
    private List<Member> eligible(Push.Kind kind, long start) {
        List<Member> from = kind == Push.Kind.USER ? userMembers : members;
        return from.stream().filter(m -> m.upSince(start)).toList();
    }

    private long missing(Map<Push.Kind, BitSet> accepted, long start) {
        long missing = 0;
        for (Map.Entry<Push.Kind, BitSet> e : accepted.entrySet()) {
            for (Member m : eligible(e.getKey(), start)) {
                BitSet acc = e.getValue();
                for (int q = acc.nextSetBit(0); q >= 0; q = acc.nextSetBit(q + 1)) {
                    if (!m.has(e.getKey(), q)) {
                        missing++;
                    }
                }
            }
        }
        return missing;
    }

    private long[] duplicates() {
        long[] d = new long[Push.Kind.values().length];
        for (Member m : members) {
            for (Push.Kind k : Push.Kind.values()) {
                d[k.ordinal()] += m.duplicates(k);
            }
        }
        return d;
    }

}
