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
 * (deploy/kafka's settings, listeners moved), router, logic, one or more comets and job.
 * {@link #start} returns once every service answers {@code /ready}. Any service can be
 * killed ({@code kill -9}) and started again with the same command line and data
 * ({@link #kill}, {@link #restart}): the fault suite does that.
 */
public final class Cluster {
    public static final String TOPIC = "KafkaPushsTopic";

    /** One comet's ports. */
    public record CometPorts(int tcp, int ws, int push, int admin) {
    }

    /** Where everything listens. */
    public record Ports(int kafka, int controller, int router, int routerAdmin, int logicGrpc, int logicAdmin,
            int logicHttp, int jobAdmin, List<CometPorts> comets) {
        /** The real-path benchmark's ports (one comet). */
        public static final Ports REALPATH = new Ports(19092, 19093, 17270, 17271, 17170, 17171, 17172, 17371,
                List.of(new CometPorts(18080, 18090, 18092, 16972)));

        /**
         * The same layout from {@code base} on, {@code comets} comets: base+92 Kafka, +270 router,
         * +170 logic, +400/+500/+600/+700 (+10 per comet) comet TCP/WebSocket/push/admin.
         */
        public static Ports range(int base, int comets) {
            int b = base;
            List<CometPorts> c = new ArrayList<>();
            for (int i = 0; i < comets; i++) {
                c.add(new CometPorts(b + 400 + 10 * i, b + 500 + 10 * i, b + 600 + 10 * i, b + 700 + 10 * i));
            }
            return new Ports(b + 92, b + 93, b + 270, b + 271, b + 170, b + 171, b + 172, b + 371, List.copyOf(c));
        }

        /** Ports the system chose (bound to port 0, then released), {@code comets} comets: for tests. */
        public static Ports free(int comets) throws IOException {
            int[] p = new int[8 + 4 * comets];
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int i = 0; i < p.length; i++) {
                    ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    held.add(s);
                    p[i] = s.getLocalPort();
                }
            } finally {
                for (ServerSocket s : held) {
                    s.close();
                }
            }
            List<CometPorts> c = new ArrayList<>();
            for (int i = 0; i < comets; i++) {
                c.add(new CometPorts(p[8 + 4 * i], p[9 + 4 * i], p[10 + 4 * i], p[11 + 4 * i]));
            }
            return new Ports(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], List.copyOf(c));
        }
    }

    /** What the cluster runs from and where; {@code jobConfig}: a config file for job, or null. */
    public record Layout(Path root, Path runDir, String java, String kafkaClasspath, String cometHeap,
            String cometOptions, Ports ports, Path jobConfig) {
    }

    /** One service: its command line (the same for a restart), admin port and current process. */
    private static final class Service {
        final String name;
        final List<String> command;
        final Admin admin;
        Processes.Started process;

        Service(String name, List<String> command, Admin admin) {
            this.name = name;
            this.command = command;
            this.admin = admin;
        }
    }

    public final Admin router;
    public final Admin logic;
    /** The first comet (the real-path benchmark has only this one). */
    public final Admin comet;
    public final Admin job;

    private final Processes processes;
    private final Layout s;
    private final Ports ports;
    private final Path logs;
    private final Map<String, Service> services = new LinkedHashMap<>();
    private final List<Admin> comets = new ArrayList<>();

    public Cluster(Processes processes, Layout layout) {
        this.processes = processes;
        this.s = layout;
        this.ports = layout.ports();
        this.logs = layout.runDir().resolve("logs");
        this.router = new Admin("router", ports.routerAdmin());
        this.logic = new Admin("logic", ports.logicAdmin());
        this.job = new Admin("job", ports.jobAdmin());
        for (int i = 0; i < ports.comets().size(); i++) {
            comets.add(new Admin(cometName(i), ports.comets().get(i).admin()));
        }
        this.comet = comets.get(0);
    }

    public Ports ports() {
        return ports;
    }

    public static String cometName(int i) {
        return i == 0 ? "comet" : "comet-" + (i + 1);
    }

    public List<Admin> comets() {
        return List.copyOf(comets);
    }

    long cometPid() {
        return pid("comet");
    }

    public long pid(String service) {
        return services.get(service).process.pid();
    }

    /** Every service process (Kafka included) by service name, in start order. */
    Map<String, Long> pidsByName() {
        Map<String, Long> m = new LinkedHashMap<>();
        services.forEach((name, v) -> m.put(name, v.process.pid()));
        return m;
    }

    public void start() throws IOException, InterruptedException {
        Files.createDirectories(logs);
        List<Integer> all = new ArrayList<>(List.of(ports.kafka(), ports.controller(), ports.router(),
                ports.routerAdmin(), ports.logicGrpc(), ports.logicAdmin(), ports.logicHttp(), ports.jobAdmin()));
        for (int i = 0; i < ports.comets().size(); i++) {
            CometPorts c = ports.comets().get(i);
            all.addAll(List.of(c.tcp(), c.ws(), c.push(), c.admin()));
        }
        for (int port : all) {
            if (open(port)) {
                throw new IOException("port " + port + " is in use on 127.0.0.1; is another benchmark running?");
            }
        }
        startKafka();
        String j = s.java();
        define("router", List.of(j, "-Xmx256m", "-Drouter.grpc.host=127.0.0.1", "-Drouter.grpc.port=" + ports.router(),
                "-Drouter.admin.host=127.0.0.1", "-Drouter.admin.port=" + ports.routerAdmin(), "-jar", jar("router")),
                router);
        define("logic", List.of(j, "-Xmx256m", "-Dlogic.grpc.host=127.0.0.1", "-Dlogic.grpc.port=" + ports.logicGrpc(),
                "-Dlogic.http.host=127.0.0.1", "-Dlogic.http.port=" + ports.logicHttp(), "-Dlogic.admin.host=127.0.0.1",
                "-Dlogic.admin.port=" + ports.logicAdmin(), "-Dlogic.routers.1=127.0.0.1:" + ports.router(),
                "-Dlogic.kafka.bootstrap-servers=127.0.0.1:" + ports.kafka(), "-jar", jar("logic")), logic);
        List<String> jobCmd = new ArrayList<>(List.of(j, "-Xmx256m",
                "-Djob.kafka.bootstrap-servers=127.0.0.1:" + ports.kafka()));
        for (int i = 0; i < ports.comets().size(); i++) {
            List<String> cometCmd = new ArrayList<>(List.of(j, "-Xmx" + s.cometHeap()));
            if (!s.cometOptions().isBlank()) {
                cometCmd.addAll(List.of(s.cometOptions().trim().split("\\s+")));
            }
            cometCmd.addAll(List.of("-Dcomet.server-id=" + (i + 1), "-Dcomet.tcp.host=127.0.0.1",
                    "-Dcomet.tcp.port=" + ports.comets().get(i).tcp(), "-Dcomet.websocket.host=127.0.0.1",
                    "-Dcomet.websocket.port=" + ports.comets().get(i).ws(), "-Dcomet.grpc.host=127.0.0.1",
                    "-Dcomet.grpc.port=" + ports.comets().get(i).push(), "-Dcomet.admin.host=127.0.0.1",
                    "-Dcomet.admin.port=" + ports.comets().get(i).admin(), "-Dcomet.logic=127.0.0.1:" + ports.logicGrpc(),
                    "-jar", jar("comet")));
            define(cometName(i), cometCmd, comets.get(i));
            jobCmd.add("-Djob.comets." + (i + 1) + "=127.0.0.1:" + ports.comets().get(i).push());
        }
        jobCmd.addAll(List.of("-Djob.admin.host=127.0.0.1", "-Djob.admin.port=" + ports.jobAdmin(), "-jar", jar("job")));
        if (s.jobConfig() != null) {
            jobCmd.add(s.jobConfig().toString());
        }
        define("job", jobCmd, job);
        for (Service v : services.values()) {
            if (v.process == null) {
                launch(v);
            }
        }
    }

    private void define(String name, List<String> command, Admin admin) {
        services.put(name, new Service(name, List.copyOf(command), admin));
    }

    private void startKafka() throws IOException, InterruptedException {
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
        Service broker = new Service("kafka", concat(kafka, "kafka.Kafka", props.toString()), null);
        services.put("kafka", broker);
        launch(broker);
        createTopic();
    }

    /** Creates the push topic (4 partitions) with Kafka's admin client. */
    private void createTopic() throws IOException, InterruptedException {
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                "bootstrap.servers", "127.0.0.1:" + ports.kafka(), "default.api.timeout.ms", 120_000))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(TOPIC, 4, (short) 1))).all()
                    .get(120, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("could not create topic " + TOPIC, e);
        }
    }

    /** Starts {@code v}'s process and waits until it is ready (Kafka: its port is open). */
    private void launch(Service v) throws IOException, InterruptedException {
        Processes.Started p = processes.start(v.name, v.command, logs.resolve(v.name + ".log"));
        v.process = p;
        if (v.admin == null) {
            awaitPort(ports.kafka(), p);
        } else {
            awaitReady(v);
        }
        System.out.println("cluster: " + v.name + " up (pid " + p.pid() + ")");
    }

    private void awaitReady(Service v) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!v.admin.ready()) {
            if (!v.process.alive()) {
                throw new IOException(v.name + " exited during start-up; see " + logs.resolve(v.name + ".log"));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(v.name + " not ready after 120 s; see " + logs.resolve(v.name + ".log"));
            }
            Thread.sleep(100);
        }
    }

    /** Kills {@code service} with SIGKILL ({@code kill -9}) and waits until it is gone. */
    public void kill(String service) throws InterruptedException {
        Service v = services.get(service);
        processes.kill(v.process);
    }

    /**
     * Starts {@code service} again with its first command line (Kafka: the same data directory)
     * and returns at once; see {@link #awaitUp}.
     */
    public void restart(String service) throws IOException {
        Service v = services.get(service);
        v.process = processes.start(v.name, v.command, logs.resolve(v.name + ".log"));
    }

    /** Waits until a restarted {@code service} is ready (Kafka: its port open). */
    public void awaitUp(String service) throws IOException, InterruptedException {
        Service v = services.get(service);
        if (v.admin == null) {
            awaitPort(ports.kafka(), v.process);
        } else {
            awaitReady(v);
        }
    }

    /** Fails if a service has exited. */
    public void check() throws IOException {
        for (Service v : services.values()) {
            if (!v.process.alive()) {
                throw new IOException(v.name + " exited; see " + logs);
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
