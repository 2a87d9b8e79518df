package io.goim.bench.realpath;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The real cluster, each part its own JVM from the jars the tree builds, all on 127.0.0.1
 * and away from goim's default ports: a one-node KRaft Kafka (deploy/kafka's broker and
 * settings, listeners moved to {@value #KAFKA}/19093), router, logic, comet and job.
 * {@link #start} returns once every service answers {@code /ready} and job delivers.
 */
final class Cluster {
    static final int KAFKA = 19092;
    static final int ROUTER = 17270;
    static final int LOGIC_GRPC = 17170;
    static final int LOGIC_HTTP = 17172;
    static final int COMET_TCP = 18080;
    static final int COMET_WS = 18090;
    static final int COMET_PUSH = 18092;
    static final String TOPIC = "KafkaPushsTopic";

    final Admin router = new Admin("router", 17271);
    final Admin logic = new Admin("logic", 17171);
    final Admin comet = new Admin("comet", 16972);
    final Admin job = new Admin("job", 17371);

    private final Processes processes;
    private final Settings s;
    private final Path logs;
    private final List<Processes.Started> services = new ArrayList<>();
    private Processes.Started cometProcess;

    Cluster(Processes processes, Settings s) {
        this.processes = processes;
        this.s = s;
        this.logs = s.runDir().resolve("logs");
    }

    long cometPid() {
        return cometProcess.pid();
    }

    /** Every service process (Kafka included). */
    long[] pids() {
        return services.stream().mapToLong(Processes.Started::pid).toArray();
    }

    void start() throws IOException, InterruptedException {
        Files.createDirectories(logs);
        for (int port : new int[] {KAFKA, 19093, ROUTER, 17271, LOGIC_GRPC, 17171, LOGIC_HTTP, COMET_TCP, COMET_WS,
                COMET_PUSH, 16972, 17371}) {
            if (open(port)) {
                throw new IOException("port " + port + " is in use on 127.0.0.1; is another benchmark running?");
            }
        }
        startKafka();
        String j = s.java();
        start("router", List.of(j, "-Xmx256m", "-Drouter.grpc.host=127.0.0.1", "-Drouter.grpc.port=" + ROUTER,
                "-Drouter.admin.host=127.0.0.1", "-Drouter.admin.port=17271", "-jar", jar("router")), router);
        start("logic", List.of(j, "-Xmx256m", "-Dlogic.grpc.host=127.0.0.1", "-Dlogic.grpc.port=" + LOGIC_GRPC,
                "-Dlogic.http.host=127.0.0.1", "-Dlogic.http.port=" + LOGIC_HTTP, "-Dlogic.admin.host=127.0.0.1",
                "-Dlogic.admin.port=17171", "-Dlogic.routers.1=127.0.0.1:" + ROUTER,
                "-Dlogic.kafka.bootstrap-servers=127.0.0.1:" + KAFKA, "-jar", jar("logic")), logic);
        List<String> cometCmd = new ArrayList<>(List.of(j, "-Xmx" + s.cometHeap()));
        if (!s.cometOptions().isBlank()) {
            cometCmd.addAll(List.of(s.cometOptions().trim().split("\\s+")));
        }
        cometCmd.addAll(List.of("-Dcomet.server-id=1", "-Dcomet.tcp.host=127.0.0.1", "-Dcomet.tcp.port=" + COMET_TCP,
                "-Dcomet.websocket.host=127.0.0.1", "-Dcomet.websocket.port=" + COMET_WS,
                "-Dcomet.grpc.host=127.0.0.1", "-Dcomet.grpc.port=" + COMET_PUSH, "-Dcomet.admin.host=127.0.0.1",
                "-Dcomet.admin.port=16972", "-Dcomet.logic=127.0.0.1:" + LOGIC_GRPC, "-jar", jar("comet")));
        cometProcess = start("comet", cometCmd, comet);
        start("job", List.of(j, "-Xmx256m", "-Djob.kafka.bootstrap-servers=127.0.0.1:" + KAFKA,
                "-Djob.comets.1=127.0.0.1:" + COMET_PUSH, "-Djob.admin.host=127.0.0.1", "-Djob.admin.port=17371",
                "-jar", jar("job")), job);
    }

    private void startKafka() throws IOException, InterruptedException {
        Path dir = s.runDir().resolve("kafka");
        Files.createDirectories(dir.resolve("data"));
        Path props = dir.resolve("server.properties");
        // deploy/kafka's settings, then the overrides (java.util.Properties: the last value of a key wins).
        Files.writeString(props, Files.readString(s.root().resolve("deploy/kafka/server.properties"))
                + "\n# real-path benchmark overrides\n"
                + "listeners=PLAINTEXT://127.0.0.1:" + KAFKA + ",CONTROLLER://127.0.0.1:19093\n"
                + "advertised.listeners=PLAINTEXT://127.0.0.1:" + KAFKA + "\n"
                + "controller.quorum.bootstrap.servers=127.0.0.1:19093\n"
                + "log.dirs=" + dir.resolve("data") + "\n"
                + "group.initial.rebalance.delay.ms=0\n"
                // Few offsets partitions: the first group join (job's) need not wait for 50 to be created.
                + "offsets.topic.num.partitions=4\n");
        List<String> kafka = List.of(s.java(), "-Xmx512m",
                "-Dlog4j2.configurationFile=" + s.root().resolve("deploy/kafka/log4j2.properties"),
                "-cp", s.kafkaClasspath());
        Path log = logs.resolve("kafka-tools.log");
        String uuid = "q1Sh-9_ISia_zwGINzRvyQ"; // any fixed cluster id: the data directory is new every run
        if (Processes.run(concat(kafka, "kafka.tools.StorageTool", "format", "--standalone", "-t", uuid, "-c",
                props.toString()), log, 120) != 0) {
            throw new IOException("could not format Kafka storage; see " + log);
        }
        Processes.Started broker = processes.start("kafka", concat(kafka, "kafka.Kafka", props.toString()),
                logs.resolve("kafka.log"));
        services.add(broker);
        awaitPort(KAFKA, broker);
        if (Processes.run(concat(kafka, "org.apache.kafka.tools.TopicCommand", "--bootstrap-server",
                "127.0.0.1:" + KAFKA, "--create", "--if-not-exists", "--topic", TOPIC, "--partitions", "4",
                "--replication-factor", "1"), log, 120) != 0) {
            throw new IOException("could not create topic " + TOPIC + "; see " + log);
        }
        System.out.println("realpath: kafka up on 127.0.0.1:" + KAFKA + " (pid " + broker.pid() + ")");
    }

    private Processes.Started start(String name, List<String> cmd, Admin admin) throws IOException, InterruptedException {
        Processes.Started p = processes.start(name, cmd, logs.resolve(name + ".log"));
        services.add(p);
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!admin.ready()) {
            if (!p.alive()) {
                throw new IOException(name + " exited during start-up; see " + logs.resolve(name + ".log"));
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(name + " not ready after 120 s; see " + logs.resolve(name + ".log"));
            }
            Thread.sleep(250);
        }
        System.out.println("realpath: " + name + " ready (pid " + p.pid() + ")");
        return p;
    }

    /** Fails if a service has exited. */
    void check() throws IOException {
        for (Processes.Started p : services) {
            if (!p.alive()) {
                throw new IOException(p.name() + " exited; see " + logs);
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
        }
    }

    private void awaitPort(int port, Processes.Started p) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!open(port)) {
            if (!p.alive() || System.nanoTime() > deadline) {
                throw new IOException(p.name() + " did not open port " + port + "; see " + logs);
            }
            Thread.sleep(200);
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
