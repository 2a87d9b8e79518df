package io.goim.bench.scaleout;

import io.goim.bench.realpath.Admin;
import io.goim.bench.realpath.Cluster;
import io.goim.bench.realpath.Processes;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.config.InvalidConfigException;
import io.goim.protocol.Transport;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The scale-out suite: every tier as several real processes ({@link Cluster}: Kafka with
 * {@code partitions} partitions, routers or a redis-server as the session store, logics,
 * comets, jobs), TCP and WebSocket clients spread over the comets as known users in known
 * rooms (signed tokens, {@link Tokens}; some users on two comets at once, some in no room),
 * steady streams of each kind of push ({@link Push.Kind}) over both logics
 * ({@link Pusher}); meanwhile a job is added and one is stopped (Kafka rebalances the
 * partitions each time), and a comet is started that nothing was told about (jobs are
 * given no comet list: they push to the comets announced, comet discovery) and clients
 * connect to it. After the streams stop it waits for what is owed and counts, per
 * scenario and kind ({@link Tally}): every accepted push at every connection it is for, no
 * push at a connection it is not for, no duplicates; and {@code /1/count} on every logic
 * at each checkpoint ({@link OnlineCounts}).
 *
 * <p>Run: {@code bench/scripts/scaleout-suite.sh}; settings {@code bench.scaleout}.
 */
public final class ScaleOutSuite {
    /** One store's run: figures per scenario, count checks, problems (none: it passed). */
    record Result(String store, Map<String, List<Tally.Row>> scenarios, Map<String, Long> scenarioMillis,
            List<Tally.Row> total, List<OnlineCounts.Check> counts, Map<String, Double> counters, List<String> notes,
            List<String> problems,
            long millis, int connections) {
        boolean ok() {
            return problems.isEmpty();
        }

        long lost() {
            return total.stream().mapToLong(Tally.Row::lost).sum();
        }
    }

    private final ScaleOutSettings s;
    private final Processes processes;

    ScaleOutSuite(ScaleOutSettings s, Processes processes) {
        this.s = s;
        this.processes = processes;
    }

    public static void main(String[] args) throws Exception {
        ScaleOutSettings s;
        try {
            s = ScaleOutSettings.from(ConfigLoader.withDefaults(com.typesafe.config.ConfigFactory.empty()));
        } catch (InvalidConfigException e) {
            System.err.println("scaleout: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        int status = 0;
        List<Result> results = new ArrayList<>();
        for (String store : s.stores()) {
            try (Processes processes = new Processes()) {
                Result r = new ScaleOutSuite(s, processes).run(store);
                results.add(r);
                status |= r.ok() ? 0 : 1;
            } catch (Exception e) {
                System.err.println("scaleout: " + store + " FAILED: " + e);
                e.printStackTrace();
                status = 1;
            }
        }
        System.out.println();
        System.out.println("scaleout: SUMMARY");
        for (Result r : results) {
            print(r);
        }
        System.exit(status);
    }

    /** The topology, clients, streams and scenarios against one session store ("router" or "redis"). */
    Result run(String store) throws Exception {
        long t0 = System.nanoTime();
        Path dir = s.runDir().resolve(store);
        Processes.deleteTree(dir);
        Tokens tokens = new Tokens(dir);
        boolean redis = store.equals("redis");
        Cluster.Ports ports = Cluster.Ports.free(redis ? 0 : s.routers(), s.logics(), s.jobs(), s.comets());
        int redisPort = redis ? Cluster.freePorts(1)[0] : 0;
        List<String> logicOptions = List.of("-Dlogic.auth.class=io.goim.logic.JwtAuthenticator",
                "-Dlogic.auth.jwt.secret-file=" + tokens.secretFile);
        Cluster cluster = new Cluster(processes, new Cluster.Layout(s.root(), dir,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), s.kafkaClasspath(), "256m", s.cometOptions(),
                ports, null, s.partitions(), logicOptions, redisPort, true));
        System.out.printf("scaleout: %s store: %d comets, %s, %d logics, %d jobs, %d partitions%n", store, s.comets(),
                redis ? "redis-server" : s.routers() + " routers", s.logics(), s.jobs(), s.partitions());
        cluster.start();
        List<URI> logics = ports.logics().stream().map(l -> URI.create("http://127.0.0.1:" + l.http())).toList();
        OnlineCounts counts = new OnlineCounts(logics, s.countWithin(), () -> {
            Map<String, Double> m = new LinkedHashMap<>();
            cluster.comets().forEach(c -> m.put(c.name(), sum(c, "goim_comet_connections")));
            return m + " connections";
        });
        List<OnlineCounts.Check> checks = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<String, long[]> windows = new LinkedHashMap<>();
        EventLoopGroup group = Transport.best().group(2, "scaleout-clients");
        List<Subscriber> subscribers = new ArrayList<>();
        Map<Push.Kind, Pusher> pushers = new LinkedHashMap<>();
        try {
            for (int c = 0; c < s.comets(); c++) {
                subscribers.addAll(clients(tokens, cluster, group, c, subscribers.size()));
            }
            awaitUp(subscribers);
            checks.add(counts.check("connected", subscribers));
            List<Long> uids = new CopyOnWriteArrayList<>(subscribers.stream().map(x -> x.uid).distinct().toList());
            startPushers(pushers, uids, logics);
            long from = System.nanoTime();
            Thread.sleep(s.phase().toMillis());
            windows.put("steady", new long[] {from, from = System.nanoTime()});
            checks.add(counts.check("steady", subscribers));
            if (s.addJob()) {
                String added = cluster.addJob();
                problems.addAll(awaitPartitions(cluster, "after " + added + " joined"));
                Thread.sleep(s.phase().toMillis());
                windows.put("job added", new long[] {from, from = System.nanoTime()});
                checks.add(counts.check("job added", subscribers));
            }
            if (s.stopJob()) {
                String stopped = cluster.jobs().get(0).name();
                cluster.stop(stopped);
                problems.addAll(awaitPartitions(cluster, "after " + stopped + " stopped"));
                Thread.sleep(s.phase().toMillis());
                windows.put("job stopped", new long[] {from, from = System.nanoTime()});
                checks.add(counts.check("job stopped", subscribers));
            }
            if (s.addComet()) {
                notes.addAll(addComet(cluster, tokens, group, subscribers, uids));
                Thread.sleep(s.phase().toMillis());
                windows.put("comet added", new long[] {from, from = System.nanoTime()});
                checks.add(counts.check("comet added", subscribers));
            }
            for (Pusher p : pushers.values()) {
                p.stop();
            }
            long end = System.nanoTime();
            Map<Push.Kind, List<Pusher.Sent>> sent = sent(pushers);
            long deadline = end + s.drain().toNanos();
            while (Tally.missing(end, sent, subscribers) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100); // deliveries arrive on the clients' threads
            }
            System.out.printf("scaleout: streams stopped; checked %d ms after%n", (System.nanoTime() - end) / 1_000_000);
            checks.add(counts.check("end", subscribers));
            cluster.check();

            Map<String, List<Tally.Row>> scenarios = new LinkedHashMap<>();
            Map<String, Long> scenarioMillis = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> w : windows.entrySet()) {
                long[] t = w.getValue();
                // The last window also holds what was accepted while the streams stopped.
                long to = t[1] == from ? end : t[1];
                scenarios.put(w.getKey(), Tally.window(t[0], to, sent, subscribers));
                scenarioMillis.put(w.getKey(), (to - t[0]) / 1_000_000);
            }
            List<Tally.Row> total = Tally.window(Long.MIN_VALUE, Long.MAX_VALUE, sent, subscribers);
            problems.addAll(problems(scenarios, total, checks, subscribers, pushers));
            Map<String, Double> counters = counters(cluster);
            counters.forEach((k, v) -> {
                if ((k.endsWith("dropped") || k.endsWith("givenUp")) && v > 0) {
                    problems.add(k + " = " + v);
                }
            });
            Result r = new Result(store, scenarios, scenarioMillis, total, List.copyOf(checks), counters, List.copyOf(notes),
                    List.copyOf(problems), (System.nanoTime() - t0) / 1_000_000, subscribers.size());
            print(r);
            return r;
        } finally {
            for (Pusher p : pushers.values()) {
                p.stop();
            }
            subscribers.forEach(Subscriber::close);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            processes.close();
        }
    }

    /**
     * The clients of comet {@code c}: tcp-per-comet TCP then ws-per-comet WebSocket
     * connections, numbered on from {@code first}: user 100001 + n, rooms 1..rooms in turn and
     * every (rooms+1)-th in no room; every sixth user also connects to the next comet (for
     * the last comet: the first), over the other transport, into the next room. Not started.
     */
    private List<Subscriber> clients(Tokens tokens, Cluster cluster, EventLoopGroup group, int c, int first) {
        List<Subscriber> all = new ArrayList<>();
        int comets = cluster.cometPorts().size();
        for (int i = 0; i < s.tcpPerComet() + s.wsPerComet(); i++) {
            int n = first + all.size();
            boolean ws = i >= s.tcpPerComet();
            long uid = 100_001 + n;
            all.add(subscriber(tokens, cluster, group, uid, room(n), c, ws));
            if (n % 6 == 0 && comets > 1) {
                all.add(subscriber(tokens, cluster, group, uid, room(n + 1), (c + 1) % comets, !ws));
            }
        }
        return all;
    }

    /** Starts {@code clients} and returns once all are authenticated. */
    private static void awaitUp(List<Subscriber> clients) throws InterruptedException {
        clients.forEach(Subscriber::start);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (clients.stream().anyMatch(x -> !x.up())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(clients.stream().filter(x -> !x.up()).count() + " of " + clients.size()
                        + " clients not authenticated after 60 s");
            }
            Thread.sleep(50); // the clients' logins complete on their event loop
        }
        System.out.printf("scaleout: %d connections up (%d TCP, %d WebSocket), %d users%n", clients.size(),
                clients.stream().filter(x -> !x.webSocket).count(), clients.stream().filter(x -> x.webSocket).count(),
                clients.stream().map(x -> x.uid).distinct().count());
    }

    /**
     * A comet started mid-stream, told to nobody: waits until every running job follows it
     * (comet discovery), then connects clients to it (new users, and second connections of
     * users already on other comets) and adds the new users to the push streams. Returns what
     * it measured.
     */
    private List<String> addComet(Cluster cluster, Tokens tokens, EventLoopGroup group, List<Subscriber> subscribers,
            List<Long> uids) throws IOException, InterruptedException {
        long start = System.nanoTime();
        int c = cluster.addComet();
        long ready = System.nanoTime();
        String id = Integer.toString(c + 1);
        long deadline = ready + 60_000_000_000L;
        while (!cluster.runningJobs().stream().allMatch(j -> follows(j, id))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("comet " + id + " not followed by every job 60 s after it was ready");
            }
            Thread.sleep(100); // job polls logic for the comets announced (job.discovery.poll)
        }
        long followed = System.nanoTime();
        List<Subscriber> added = clients(tokens, cluster, group, c, subscribers.size());
        // Users already connected elsewhere: a push to them must now reach this comet too.
        for (int k = 0; k < 3; k++) {
            Subscriber old = subscribers.get(k * 7 % subscribers.size());
            added.add(subscriber(tokens, cluster, group, old.uid, old.room, c, k % 2 == 0));
        }
        awaitUp(added);
        subscribers.addAll(added);
        for (Subscriber x : added) {
            if (!uids.contains(x.uid)) {
                uids.add(x.uid);
            }
        }
        return List.of(String.format("comet %s started mid-stream: ready %d ms after its start, followed by every job"
                + " %d ms after ready (discovery), %d clients connected to it", id, (ready - start) / 1_000_000,
                (followed - ready) / 1_000_000, added.size()));
    }

    /** Whether {@code job} pushes to comet {@code id}: it has that comet's meters (registered as it joins). */
    private static boolean follows(Admin job, String id) {
        try {
            return job.metrics(true).keySet().stream()
                    .anyMatch(k -> k.startsWith("goim_job_comet_given_up") && k.contains("comet=\"" + id + "\""));
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private long room(int n) {
        int r = n % (s.rooms() + 1);
        return r == s.rooms() ? -1 : r + 1;
    }

    private static Subscriber subscriber(Tokens tokens, Cluster cluster, EventLoopGroup group, long uid, long room,
            int comet, boolean ws) {
        Cluster.CometPorts p = cluster.cometPorts().get(comet);
        return new Subscriber(uid, room, comet, ws, "127.0.0.1:" + (ws ? p.ws() : p.tcp()), tokens.token(uid, room), group);
    }

    /**
     * A stream per kind: user pushes to each user in turn; {@code /1/pushs} to three users at a
     * time and one that is offline; room pushes to each room in turn and to one nobody is in;
     * broadcasts.
     */
    private void startPushers(Map<Push.Kind, Pusher> pushers, List<Long> uids, List<URI> logics) {
        long emptyRoom = s.rooms() + 1;
        pushers.put(Push.Kind.USER, new Pusher(Push.Kind.USER,
                q -> new Push(Push.Kind.USER, q, new long[] {uids.get(q % uids.size())}, -1), logics, s.rate(),
                        s.httpTimeout()));
        pushers.put(Push.Kind.USERS, new Pusher(Push.Kind.USERS,
                q -> {
                    int n = uids.size(); // grows when a comet is added
                    return new Push(Push.Kind.USERS, q, new long[] {uids.get(3 * q % n), uids.get((3 * q + 1) % n),
                            uids.get((3 * q + 2) % n), 999_999_999L}, -1);
                }, logics, s.rate(), s.httpTimeout()));
        pushers.put(Push.Kind.ROOM, new Pusher(Push.Kind.ROOM,
                q -> new Push(Push.Kind.ROOM, q, new long[0], q % emptyRoom + 1), logics, s.rate(), s.httpTimeout()));
        pushers.put(Push.Kind.BROADCAST, new Pusher(Push.Kind.BROADCAST,
                q -> new Push(Push.Kind.BROADCAST, q, new long[0], -1), logics, s.rate(), s.httpTimeout()));
        pushers.values().forEach(Pusher::start);
    }

    private static Map<Push.Kind, List<Pusher.Sent>> sent(Map<Push.Kind, Pusher> pushers) {
        Map<Push.Kind, List<Pusher.Sent>> m = new LinkedHashMap<>();
        pushers.forEach((k, p) -> m.put(k, p.sent()));
        return m;
    }

    /**
     * Waits until the running jobs own every partition between them, each at least one (the
     * rebalance is over); returns a problem if that takes longer than 60 s.
     */
    private List<String> awaitPartitions(Cluster cluster, String when) throws InterruptedException {
        long start = System.nanoTime();
        String last = "";
        while (System.nanoTime() - start < 60_000_000_000L) {
            List<Admin> running = cluster.runningJobs();
            Map<String, Double> owned = new LinkedHashMap<>();
            for (Admin j : running) {
                owned.put(j.name(), sum(j, "goim_job_partitions_owned"));
            }
            double total = owned.values().stream().mapToDouble(Double::doubleValue).sum();
            last = owned.toString();
            if (total == s.partitions() && owned.values().stream().allMatch(v -> v >= 1)) {
                System.out.printf("scaleout: partitions %s %s, %d ms%n", when, owned,
                        (System.nanoTime() - start) / 1_000_000);
                return List.of();
            }
            Thread.sleep(100); // the jobs' gauges change when their rebalance completes
        }
        return List.of("partitions " + when + ": not all owned after 60 s: " + last);
    }

    private static double sum(Admin admin, String prefix) {
        try {
            return admin.metrics(true).entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .mapToDouble(Map.Entry::getValue).sum();
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    /** Counters of the running services that show a loss or a rebalance (summed over services). */
    private static Map<String, Double> counters(Cluster cluster) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Admin j : cluster.runningJobs()) {
            m.merge("job.consumed", sum(j, "goim_job_consumed"), Double::sum);
            m.merge("job.revoked", sum(j, "goim_job_partitions_revoked"), Double::sum);
            m.merge("job.revokeAbandoned", sum(j, "goim_job_revoke_abandoned"), Double::sum);
            m.merge("job.givenUp", sum(j, "goim_job_comet_given_up"), Double::sum);
            m.merge("job.retries", sum(j, "goim_job_comet_retries"), Double::sum);
        }
        for (Admin c : cluster.comets()) {
            m.merge("comet.dropped", sum(c, "goim_comet_pushes_total{outcome=\"dropped\""), Double::sum);
            // A retried push comet had applied already (answered, not applied again).
            m.merge("comet.pushRepeats", sum(c, "goim_comet_push_repeats_total"), Double::sum);
            // Logins refused, and late Connect answers whose sessions comet disconnected again.
            m.merge("comet.authFailed", sum(c, "goim_comet_auth_total{result=\"failed\""), Double::sum);
            m.merge("comet.loginAnswersUndone", sum(c, "goim_comet_login_answers_undone"), Double::sum);
        }
        for (Admin l : cluster.logics()) {
            m.merge("logic.connectsAbandoned", sum(l, "goim_logic_connects_abandoned"), Double::sum);
        }
        for (Admin r : cluster.routers()) {
            m.merge("router.putsAbandoned", sum(r, "goim_router_puts_abandoned"), Double::sum);
        }
        return m;
    }

    private List<String> problems(Map<String, List<Tally.Row>> scenarios, List<Tally.Row> total,
            List<OnlineCounts.Check> checks, List<Subscriber> subscribers, Map<Push.Kind, Pusher> pushers) {
        List<String> p = new ArrayList<>();
        scenarios.forEach((name, rows) -> {
            for (Tally.Row r : rows) {
                if (r.accepted() == 0 || r.owed() == 0) {
                    p.add(name + " " + r.kind().label() + ": nothing to check (" + r.accepted() + " accepted, last refusal: "
                            + pushers.get(r.kind()).lastRefusal() + ")");
                }
            }
        });
        for (Tally.Row r : total) {
            if (r.lost() > 0) {
                p.add(r.lost() + " owed " + r.kind().label() + " deliveries lost");
            }
            if (r.wrong() > 0) {
                p.add(r.wrong() + " " + r.kind().label() + " pushes reached a connection they were not for");
            }
            // A job that joins or leaves commits what it handed on before its partitions move
            // (docs/delivery.md, Rebalances): a rebalance sends nothing twice.
            if (r.duplicates() > 0) {
                p.add(r.duplicates() + " " + r.kind().label() + " pushes arrived twice at one connection");
            }
        }
        for (OnlineCounts.Check c : checks) {
            if (!c.ok()) {
                p.add(c.line());
            }
        }
        long dropped = subscribers.stream().filter(x -> x.disconnects() > 0).count();
        if (dropped > 0) {
            p.add(dropped + " clients lost their connection (nothing they were connected to was stopped)");
        }
        long unparsed = subscribers.stream().mapToLong(Subscriber::unparsed).sum();
        if (unparsed > 0) {
            p.add(unparsed + " pushes whose body was not one of the suite's");
        }
        return p;
    }

    static void print(Result r) {
        System.out.printf("%nscaleout: %s store, %d connections, %.1f s in all%n", r.store(), r.connections(),
                r.millis() / 1000.0);
        System.out.println(Tally.Row.header());
        r.scenarios().forEach((name, rows) -> rows.forEach(x -> System.out.println(x.line(name))));
        r.total().forEach(x -> System.out.println(x.line("total")));
        r.scenarioMillis().forEach((name, ms) -> System.out.printf("scaleout: scenario %-12s %6d ms%n", name, ms));
        r.counts().forEach(c -> System.out.println("scaleout: " + c.line()));
        r.notes().forEach(n -> System.out.println("scaleout: " + n));
        System.out.println("scaleout: counters " + r.counters());
        System.out.println("scaleout: " + r.store() + " " + (r.ok() ? "OK" : "PROBLEMS " + r.problems()));
    }
}
