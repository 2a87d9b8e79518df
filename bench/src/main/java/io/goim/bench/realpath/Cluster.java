package io.goim.bench.realpath;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The real cluster, each part its own JVM from the jars the tree builds, all on 127.0.0.1
 * and on the ports of a {@link Ports} layout (never goim's defaults): a one-node KRaft Kafka
 * (deploy/kafka's settings, listeners moved), one or more routers (or a {@code redis-server}
 * as the session store), logics, comets and jobs. {@link #start} returns once every service
 * answers {@code /ready}; the services of one tier start together. Any service can be
 * killed ({@code kill -9}) and started again with the same command line and data
 * ({@link #kill}, {@link #restart}): the fault suite does that. Jobs can be added and
 * stopped while the cluster runs ({@link #addJob}, {@link #stop}): the scale-out suite
 * does that.
 */
public final class Cluster {
    public static final String TOPIC = "KafkaPushsTopic";

    /** One comet's ports. */
    public record CometPorts(int tcp, int ws, int push, int admin) {
    }

    /** One router's ports. */
    public record RouterPorts(int grpc, int admin) {
    }

    /** One logic's ports. */
    public record LogicPorts(int grpc, int admin, int http) {
    }

    /**
     * Where everything listens: Kafka, then per router, logic, job (its admin port) and comet.
     * No router: the session store is Redis ({@link Layout#redisPort}).
     */
    public record Ports(int kafka, int controller, List<RouterPorts> routers, List<LogicPorts> logics,
            List<Integer> jobAdmins, List<CometPorts> comets) {
        /** The real-path benchmark's ports (one comet). */
        public static final Ports REALPATH = new Ports(19092, 19093, List.of(new RouterPorts(17270, 17271)),
                List.of(new LogicPorts(17170, 17171, 17172)), List.of(17371),
                List.of(new CometPorts(18080, 18090, 18092, 16972)));

        public Ports {
            routers = List.copyOf(routers);
            logics = List.copyOf(logics);
            jobAdmins = List.copyOf(jobAdmins);
            comets = List.copyOf(comets);
        }

        /**
         * The same layout from {@code base} on, one router, logic and job, {@code comets}
         * comets: base+92 Kafka, +270 router, +170 logic, +400/+500/+600/+700 (+10 per comet)
         * comet TCP/WebSocket/push/admin.
         */
        public static Ports range(int base, int comets) {
            int b = base;
            List<CometPorts> c = new ArrayList<>();
            for (int i = 0; i < comets; i++) {
                c.add(new CometPorts(b + 400 + 10 * i, b + 500 + 10 * i, b + 600 + 10 * i, b + 700 + 10 * i));
            }
            return new Ports(b + 92, b + 93, List.of(new RouterPorts(b + 270, b + 271)),
                    List.of(new LogicPorts(b + 170, b + 171, b + 172)), List.of(b + 371), c);
        }

        /** Free ports, one router, logic and job, {@code comets} comets: for tests. */
        public static Ports free(int comets) throws IOException {
            return free(1, 1, 1, comets);
        }

        /** Free ports ({@link Cluster#freePorts}) for so many of each service. */
        public static Ports free(int routers, int logics, int jobs, int comets) throws IOException {
            int[] p = freePorts(2 + 2 * routers + 3 * logics + jobs + 4 * comets);
            int i = 2;
            List<RouterPorts> r = new ArrayList<>();
            for (int k = 0; k < routers; k++, i += 2) {
                r.add(new RouterPorts(p[i], p[i + 1]));
            }
            List<LogicPorts> l = new ArrayList<>();
            for (int k = 0; k < logics; k++, i += 3) {
                l.add(new LogicPorts(p[i], p[i + 1], p[i + 2]));
            }
            List<Integer> j = new ArrayList<>();
            for (int k = 0; k < jobs; k++) {
                j.add(p[i++]);
            }
            List<CometPorts> c = new ArrayList<>();
            for (int k = 0; k < comets; k++, i += 4) {
                c.add(new CometPorts(p[i], p[i + 1], p[i + 2], p[i + 3]));
            }
            return new Ports(p[0], p[1], r, l, j, c);
        }

        /** The first router's gRPC port. */
        public int router() {
            return routers.get(0).grpc();
        }

        public int routerAdmin() {
            return routers.get(0).admin();
        }

        /** The first logic's gRPC port. */
        public int logicGrpc() {
            return logics.get(0).grpc();
        }

        public int logicAdmin() {
            return logics.get(0).admin();
        }

        /** The first logic's HTTP port (the push API). */
        public int logicHttp() {
            return logics.get(0).http();
        }

        /** The first job's admin port. */
        public int jobAdmin() {
            return jobAdmins.get(0);
        }

        /** Every port of the layout. */
        List<Integer> all() {
            List<Integer> a = new ArrayList<>(List.of(kafka, controller));
            routers.forEach(r -> a.addAll(List.of(r.grpc(), r.admin())));
            logics.forEach(l -> a.addAll(List.of(l.grpc(), l.admin(), l.http())));
            a.addAll(jobAdmins);
            comets.forEach(c -> a.addAll(List.of(c.tcp(), c.ws(), c.push(), c.admin())));
            return a;
        }
    }

    /** Where {@link #freePorts} looks: below the ephemeral range (32768-60999 here), above the fault suite's 26000s. */
    static final int FREE_FROM = 27_000;
    static final int FREE_TO = 32_700;

    /**
     * {@code n} distinct loopback ports that are free now, drawn at random between
     * {@link #FREE_FROM} and {@link #FREE_TO}. Not port 0: a port the system hands out is from
     * the ephemeral range, where any outgoing connection of this machine (the suite's own
     * clients, other tests) may take it before the service that was meant to bind it starts,
     * seconds later ("Address already in use").
     */
    public static int[] freePorts(int n) throws IOException {
        java.util.Set<Integer> chosen = new java.util.LinkedHashSet<>();
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int tries = 0; chosen.size() < n; tries++) {
            if (tries > 100 * n) {
                throw new IOException("no " + n + " free ports between " + FREE_FROM + " and " + FREE_TO);
            }
            int port = random.nextInt(FREE_FROM, FREE_TO);
            if (chosen.contains(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                chosen.add(port);
            } catch (IOException inUse) {
                // taken: draw another
            }
        }
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * What the cluster runs from and where; {@code jobConfig}: a config file for job, or null;
     * {@code partitions}: of the push topic; {@code logicOptions}: extra JVM options
     * ({@code -Dkey=value}) of every logic; {@code redisPort}: 0 for the router session store,
     * else a {@code redis-server} on that port is the session store and the ports have no router;
     * {@code discoverComets}: jobs are given no comet list and push to the comets announced
     * (comet discovery), else they are given the comets of the ports besides.
     */
    public record Layout(Path root, Path runDir, String java, String kafkaClasspath, String cometHeap,
            String cometOptions, Ports ports, Path jobConfig, int partitions, List<String> logicOptions, int redisPort,
            boolean discoverComets) {
        public Layout {
            logicOptions = List.copyOf(logicOptions);
            if (redisPort > 0 && !ports.routers().isEmpty()) {
                throw new IllegalArgumentException("Redis as the session store: the layout has no router");
            }
            if (redisPort == 0 && ports.routers().isEmpty()) {
                throw new IllegalArgumentException("no router and no Redis: logic has no session store");
            }
        }

        /** Four partitions, the router session store, logic as configured, jobs given the comets. */
        public Layout(Path root, Path runDir, String java, String kafkaClasspath, String cometHeap, String cometOptions,
                Ports ports, Path jobConfig) {
            this(root, runDir, java, kafkaClasspath, cometHeap, cometOptions, ports, jobConfig, 4, List.of(), 0, false);
        }
    }

    /** One service: its command line (the same for a restart), admin port and current process. */
    private static final class Service {
        final String name;
        final List<String> command;
        final Admin admin;
        /** The port that tells it is up, for a service without an admin port (Kafka, Redis). */
        final int port;
        Processes.Started process;
        /** Stopped on purpose ({@link #stop}): not expected to run any more. */
        boolean stopped;

        Service(String name, List<String> command, Admin admin, int port) {
            this.name = name;
            this.command = command;
            this.admin = admin;
            this.port = port;
        }
    }

    /** The first router (null with Redis), logic, comet and job: the ones of a one-of-each cluster. */
    public final Admin router;
    public final Admin logic;
    public final Admin comet;
    public final Admin job;

    private final Processes processes;
    private final Layout s;
    private final Ports ports;
    private final Path logs;
    private final Map<String, Service> services = new LinkedHashMap<>();
    private final List<Admin> routers = new ArrayList<>();
    private final List<Admin> logics = new ArrayList<>();
    private final List<Admin> comets = new ArrayList<>();
    /** The comets' ports: those of the layout, then the comets added ({@link #addComet}). */
    private final List<CometPorts> cometPorts = new ArrayList<>();
    private final List<Admin> jobs = new ArrayList<>();

    public Cluster(Processes processes, Layout layout) {
        this.processes = processes;
        this.s = layout;
        this.ports = layout.ports();
        this.logs = layout.runDir().resolve("logs");
        for (int i = 0; i < ports.routers().size(); i++) {
            routers.add(new Admin(name("router", i), ports.routers().get(i).admin()));
        }
        for (int i = 0; i < ports.logics().size(); i++) {
            logics.add(new Admin(name("logic", i), ports.logics().get(i).admin()));
        }
        for (int i = 0; i < ports.jobAdmins().size(); i++) {
            jobs.add(new Admin(name("job", i), ports.jobAdmins().get(i)));
        }
        for (int i = 0; i < ports.comets().size(); i++) {
            comets.add(new Admin(cometName(i), ports.comets().get(i).admin()));
        }
        cometPorts.addAll(ports.comets());
        this.router = routers.isEmpty() ? null : routers.get(0);
        this.logic = logics.get(0);
        this.job = jobs.get(0);
        this.comet = comets.get(0);
    }

    public Ports ports() {
        return ports;
    }

    /** The {@code i}-th (from 0) service of a kind: "job", "job-2", "job-3", … */
    public static String name(String kind, int i) {
        return i == 0 ? kind : kind + "-" + (i + 1);
    }

    public static String cometName(int i) {
        return name("comet", i);
    }

    /** Every comet, the added ones too; comet i has server id i + 1. */
    public synchronized List<Admin> comets() {
        return List.copyOf(comets);
    }

    /** Every comet's ports, the added ones too, by index as {@link #comets}. */
    public synchronized List<CometPorts> cometPorts() {
        return List.copyOf(cometPorts);
    }

    public List<Admin> routers() {
        return List.copyOf(routers);
    }

    public List<Admin> logics() {
        return List.copyOf(logics);
    }

    /** Every job started, the added ones too, stopped ones included (in start order). */
    public synchronized List<Admin> jobs() {
        return List.copyOf(jobs);
    }

    /** Jobs running (not stopped). */
    public synchronized List<Admin> runningJobs() {
        return jobs.stream().filter(a -> !services.get(a.name()).stopped).toList();
    }

    long cometPid() {
        return pid("comet");
    }

    public synchronized long pid(String service) {
        return services.get(service).process.pid();
    }

    /** Every running service process (Kafka included) by service name, in start order. */
    synchronized Map<String, Long> pidsByName() {
        Map<String, Long> m = new LinkedHashMap<>();
        services.forEach((name, v) -> {
            if (!v.stopped) {
                m.put(name, v.process.pid());
            }
        });
        return m;
    }

    public void start() throws IOException, InterruptedException {
        Files.createDirectories(logs);
        for (int port : ports.all()) {
            if (open(port)) {
                throw new IOException("port " + port + " is in use on 127.0.0.1; is another benchmark running?");
            }
        }
        if (s.redisPort() > 0 && open(s.redisPort())) {
            throw new IOException("port " + s.redisPort() + " is in use on 127.0.0.1; is another benchmark running?");
        }
        // Two waves, each started at once and then awaited: the broker and the session store;
        // then (the topic created) logics, comets and jobs, which wait for one another by
        // themselves (gRPC channels reconnect, /ready answers once the dependencies do).
        List<Service> first = new ArrayList<>(List.of(defineKafka()));
        for (int i = 0; i < ports.routers().size(); i++) {
            RouterPorts r = ports.routers().get(i);
            first.add(define(name("router", i), List.of(s.java(), "-Xmx256m", "-Drouter.grpc.host=127.0.0.1",
                    "-Drouter.grpc.port=" + r.grpc(), "-Drouter.admin.host=127.0.0.1", "-Drouter.admin.port=" + r.admin(),
                    "-jar", jar("router")), routers.get(i), 0));
        }
        if (s.redisPort() > 0) {
            first.add(defineRedis());
        }
        launchAll(first);
        createTopic();
        List<Service> second = new ArrayList<>();
        for (int i = 0; i < ports.logics().size(); i++) {
            second.add(define(name("logic", i), logicCommand(ports.logics().get(i)), logics.get(i), 0));
        }
        for (int i = 0; i < ports.comets().size(); i++) {
            second.add(define(cometName(i), cometCommand(i, ports.comets().get(i)), comets.get(i), 0));
        }
        for (int i = 0; i < ports.jobAdmins().size(); i++) {
            second.add(define(name("job", i), jobCommand(ports.jobAdmins().get(i)), jobs.get(i), 0));
        }
        launchAll(second);
    }

    private List<String> logicCommand(LogicPorts l) throws IOException {
        List<String> c = new ArrayList<>(List.of(s.java(), "-Xmx256m", "-Dlogic.grpc.host=127.0.0.1",
                "-Dlogic.grpc.port=" + l.grpc(), "-Dlogic.http.host=127.0.0.1", "-Dlogic.http.port=" + l.http(),
                "-Dlogic.admin.host=127.0.0.1", "-Dlogic.admin.port=" + l.admin(),
                "-Dlogic.kafka.bootstrap-servers=127.0.0.1:" + ports.kafka()));
        for (int i = 0; i < ports.routers().size(); i++) {
            c.add("-Dlogic.routers." + (i + 1) + "=127.0.0.1:" + ports.routers().get(i).grpc());
        }
        if (s.redisPort() > 0) {
            c.add("-Dlogic.session.store=redis");
            c.add("-Dlogic.session.redis.uris.0=redis://127.0.0.1:" + s.redisPort());
        }
        c.addAll(s.logicOptions());
        c.addAll(List.of("-jar", jar("logic")));
        return c;
    }

    private List<String> cometCommand(int i, CometPorts p) throws IOException {
        List<String> c = new ArrayList<>(List.of(s.java(), "-Xmx" + s.cometHeap()));
        if (!s.cometOptions().isBlank()) {
            c.addAll(List.of(s.cometOptions().trim().split("\\s+")));
        }
        c.addAll(List.of("-Dcomet.server-id=" + (i + 1), "-Dcomet.tcp.host=127.0.0.1",
                "-Dcomet.tcp.port=" + p.tcp(), "-Dcomet.websocket.host=127.0.0.1",
                "-Dcomet.websocket.port=" + p.ws(), "-Dcomet.grpc.host=127.0.0.1",
                "-Dcomet.grpc.port=" + p.push(), "-Dcomet.admin.host=127.0.0.1",
                "-Dcomet.admin.port=" + p.admin()));
        if (ports.logics().size() == 1) {
            c.add("-Dcomet.logic=127.0.0.1:" + ports.logicGrpc());
        } else {
            for (int k = 0; k < ports.logics().size(); k++) {
                c.add("-Dcomet.logic." + k + "=127.0.0.1:" + ports.logics().get(k).grpc());
            }
        }
        c.addAll(List.of("-jar", jar("comet")));
        return c;
    }

    private List<String> jobCommand(int adminPort) throws IOException {
        List<String> c = new ArrayList<>(List.of(s.java(), "-Xmx256m",
                "-Djob.kafka.bootstrap-servers=127.0.0.1:" + ports.kafka()));
        if (!s.discoverComets()) {
            for (int i = 0; i < ports.comets().size(); i++) {
                c.add("-Djob.comets." + (i + 1) + "=127.0.0.1:" + ports.comets().get(i).push());
            }
        }
        // Where job asks for the comets announced (never goim's default logic port).
        for (int k = 0; k < ports.logics().size(); k++) {
            c.add("-Djob.discovery.logic." + k + "=127.0.0.1:" + ports.logics().get(k).grpc());
        }
        c.addAll(List.of("-Djob.admin.host=127.0.0.1", "-Djob.admin.port=" + adminPort, "-jar", jar("job")));
        if (s.jobConfig() != null) {
            c.add(s.jobConfig().toString());
        }
        return c;
    }

    /** A redis-server without persistence (the session store restarts empty, as the tests' Redis). */
    private Service defineRedis() throws IOException {
        Path dir = s.runDir().resolve("redis");
        Files.createDirectories(dir);
        return define("redis", List.of("redis-server", "--port", Integer.toString(s.redisPort()), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no"), null, s.redisPort());
    }

    /**
     * Starts one more comet (the next server id) on free ports and waits until it is ready.
     * Nothing else is told: jobs find it by comet discovery. Returns its index.
     */
    public int addComet() throws IOException, InterruptedException {
        int[] p = freePorts(4);
        CometPorts cp = new CometPorts(p[0], p[1], p[2], p[3]);
        Service v;
        int i;
        synchronized (this) {
            i = comets.size();
            Admin a = new Admin(cometName(i), cp.admin());
            comets.add(a);
            cometPorts.add(cp);
            v = define(cometName(i), cometCommand(i, cp), a, 0);
        }
        launchAll(List.of(v));
        return i;
    }

    /**
     * Starts one more job, with the first job's settings and a free admin port, and waits
     * until it is ready (its consumer joined the group: a rebalance). Returns its name.
     */
    public String addJob() throws IOException, InterruptedException {
        int admin = freePorts(1)[0];
        Service v;
        synchronized (this) {
            String name = name("job", jobs.size());
            Admin a = new Admin(name, admin);
            jobs.add(a);
            v = define(name, jobCommand(admin), a, 0);
        }
        launchAll(List.of(v));
        return v.name;
    }

    /**
     * Stops {@code service} as an operator does (SIGTERM: it shuts down cleanly; a job leaves
     * its group and commits what it handed on), waiting up to 20 s. It is not restarted.
     */
    public void stop(String service) {
        Service v;
        synchronized (this) {
            v = services.get(service);
            v.stopped = true;
        }
        processes.stop(v.process);
    }

    private synchronized Service define(String name, List<String> command, Admin admin, int port) {
        Service v = new Service(name, List.copyOf(command), admin, port);
        services.put(name, v);
        return v;
    }

    /** Formats a new data directory and defines the broker (not started yet). */
    private Service defineKafka() throws IOException, InterruptedException {
        Path dir = s.runDir().resolve("kafka");
        Files.createDirectories(dir.resolve("data"));
        Path props = dir.resolve("server.properties");
        // deploy/kafka's settings, then the overrides (java.util.Properties: the last value of a key wins).
        Files.writeString(props, Files.readString(s.root().resolve("deploy/kafka/server.properties"))
                + "\n# benchmark overrides\n"
                + "listeners=PLAINTEXT://127.0.0.1:" + ports.kafka() + ",CONTROLLER://127.0.0.1:" + ports.controller() + "\n"
                + "advertised.listeners=PLAINTEXT://127.0.0.1:" + ports.kafka() + "\n"
                + "controller.quorum.bootstrap.servers=127.0.0.1:" + ports.controller() + "\n"
                + "log.dirs=" + dir.resolve("data") + "\n"
                + "group.initial.rebalance.delay.ms=0\n"
                // Few offsets partitions: the first group join (job's) need not wait for 50 to be created.
                + "offsets.topic.num.partitions=4\n");
        // A logback configuration for a broker whose classpath logs through logback (the build's
        // test classpath); the deploy classpath logs through log4j2 with deploy/kafka's settings.
        Path logback = dir.resolve("logback.xml");
        Files.writeString(logback, "<configuration><appender name=\"o\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                + "<encoder><pattern>%d %-5level %logger{20} - %msg%n</pattern></encoder></appender>"
                + "<root level=\"WARN\"><appender-ref ref=\"o\"/></root></configuration>");
        List<String> kafka = List.of(s.java(), "-Xmx512m",
                "-Dlog4j2.configurationFile=" + s.root().resolve("deploy/kafka/log4j2.properties"),
                "-Dlogback.configurationFile=" + logback, "-cp", s.kafkaClasspath());
        Path log = logs.resolve("kafka-tools.log");
        String uuid = "q1Sh-9_ISia_zwGINzRvyQ"; // any fixed cluster id: the data directory is new every run
        if (Processes.run(concat(kafka, "kafka.tools.StorageTool", "format", "--standalone", "-t", uuid, "-c",
                props.toString()), log, 120) != 0) {
            throw new IOException("could not format Kafka storage; see " + log);
        }
        return define("kafka", concat(kafka, "kafka.Kafka", props.toString()), null, ports.kafka());
    }

    /** Creates the push topic ({@link Layout#partitions}) with Kafka's admin client. */
    private void createTopic() throws IOException, InterruptedException {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                "bootstrap.servers", "127.0.0.1:" + ports.kafka(), "default.api.timeout.ms", 120_000))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(TOPIC, s.partitions(), (short) 1)))
                    .all().get(120, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("could not create topic " + TOPIC, e);
        }
    }

    /**
     * Starts the processes of {@code tier} together and waits until each is ready (Kafka,
     * Redis: its port is open).
     */
    private void launchAll(List<Service> tier) throws IOException, InterruptedException {
        for (Service v : tier) {
            v.process = processes.start(v.name, v.command, logs.resolve(v.name + ".log"));
        }
        for (Service v : tier) {
            awaitUp(v);
            System.out.println("cluster: " + v.name + " up (pid " + v.process.pid() + ")");
        }
    }

    private void awaitUp(Service v) throws IOException, InterruptedException {
        if (v.admin == null) {
            awaitPort(v.port, v.process);
        } else {
            awaitReady(v);
        }
    }

    private void awaitReady(Service v) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!v.admin.ready()) {
            if (!v.process.alive()) {
                throw new IOException(v.name + " exited during start-up (status " + v.process.process().exitValue()
                        + "); see " + logs.resolve(v.name + ".log"));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(v.name + " not ready after 120 s; see " + logs.resolve(v.name + ".log"));
            }
            Thread.sleep(100);
        }
    }

    /** Kills {@code service} with SIGKILL ({@code kill -9}) and waits until it is gone. */
    public void kill(String service) throws InterruptedException {
        Service v;
        synchronized (this) {
            v = services.get(service);
        }
        processes.kill(v.process);
    }

    /**
     * Starts {@code service} again with its first command line (Kafka: the same data directory)
     * and returns at once; see {@link #awaitUp}.
     */
    public void restart(String service) throws IOException {
        Service v;
        synchronized (this) {
            v = services.get(service);
            v.stopped = false;
        }
        v.process = processes.start(v.name, v.command, logs.resolve(v.name + ".log"));
    }

    /** Waits until a restarted {@code service} is ready (Kafka: its port open). */
    public void awaitUp(String service) throws IOException, InterruptedException {
        Service v;
        synchronized (this) {
            v = services.get(service);
        }
        awaitUp(v);
    }

    /** Fails if a service that was not stopped on purpose has exited. */
    public synchronized void check() throws IOException {
        for (Service v : services.values()) {
            if (!v.stopped && !v.process.alive()) {
                throw new IOException(v.name + " exited (status " + v.process.process().exitValue() + "); see " + logs);
            }
        }
    }

    String jar(String module) throws IOException {
        Path target = s.root().resolve(module).resolve("target");
        try (Stream<Path> files = Files.list(target)) {
            // As run-local.sh: the module's jar that is neither the pre-shade original nor sources.
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(module + "-") && n.endsWith(".jar") && !n.contains("original")
                            && !n.contains("sources") && !n.contains("tests"))
                    .sorted().findFirst().map(n -> target.resolve(n).toString())
                    .orElseThrow(() -> new IOException("no " + module + " jar in " + target + "; build it first"));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("no " + target + "; build the " + module + " jar first (mvn package)");
        }
    }

    private void awaitPort(int port, Processes.Started p) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!open(port)) {
            if (!p.alive() || System.nanoTime() > deadline) {
                throw new IOException(p.name() + " did not open port " + port + "; see " + logs);
            }
            Thread.sleep(100);
        }
    }

    static boolean open(int port) {
        try (Socket sock = new Socket()) {
            sock.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }
}
