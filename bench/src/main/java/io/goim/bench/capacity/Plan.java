package io.goim.bench.capacity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The capacity plan: per-tier sizing of a workload from the measured inputs. Every figure is
 * per second unless its column says otherwise; CPU is in cores (CPU-seconds per second).
 *
 * <p>The comet's CPU model: a delivery costs {@code write / k + packet} seconds, where k is
 * the packets in one socket write (1 when a message leaves alone, up to job's batch of 40
 * when messages pile up), {@code write} and {@code packet} are solved from the minimal
 * server's two measured points (1 and 40 packets per write), and the comet's measured ratio
 * to that server scales both. Each room message also costs the comet one push call (job
 * sends every room message to every comet), measured separately.
 */
public final class Plan {
    /** job.room.batch: the most room messages one write carries when the comet is behind. */
    static final int BATCH = 40;
    static final int HEADER = 16;

    private final Inputs in;
    private final Workload w;

    public Plan(Inputs in, Workload w) {
        this.in = in;
        this.w = w;
    }

    /** Comet CPU-seconds of one socket write over TCP. */
    double tcpWriteCost() {
        double unbatched = 1 / in.m("minimal-unbatched-tcp");
        double batched = 1 / in.m("minimal-batched-tcp");
        double k = in.m("minimal-batched-packets");
        return (unbatched - batched) * k / (k - 1) / in.m("comet-vs-minimal");
    }

    /** Comet CPU-seconds of one more packet in a write. */
    double packetCost() {
        double k = in.m("minimal-batched-packets");
        double batched = 1 / in.m("minimal-batched-tcp");
        double unbatched = 1 / in.m("minimal-unbatched-tcp");
        double write = (unbatched - batched) * k / (k - 1);
        return (unbatched - write) / in.m("comet-vs-minimal");
    }

    /** Comet CPU-seconds of one WebSocket frame (the measured unbatched frame less the packet). */
    double wsWriteCost() {
        return 1 / in.m("minimal-unbatched-ws") / in.m("comet-vs-minimal") - packetCost();
    }

    /** Comet CPU-seconds per delivery with k packets per write, over the workload's TCP/WS mix. */
    double deliveryCost(double k) {
        double write = (1 - w.websocketShare()) * tcpWriteCost() + w.websocketShare() * wsWriteCost();
        return write / k + packetCost();
    }

    double callCost() {
        return in.m("comet-cpu-per-room-call") * 1e-6;
    }

    /** Bits on the wire per delivery with k packets per write, TCP/WS mix. */
    double bitsPerDelivery(double k) {
        double bytes = HEADER + w.bodyBytes() + w.websocketShare() * in.a("websocket-extra-bytes")
                + in.a("bytes-per-segment") / k;
        return bytes * 8;
    }

    /** One line of comet load: deliveries and incoming push calls per comet. */
    record Load(String name, double deliveries, double calls, double packetsPerWrite) {
    }

    /** Per comet: each room class, user pushes, broadcasts and heartbeats. */
    List<Load> cometLoads() {
        List<Load> loads = new ArrayList<>();
        int c = w.comets();
        for (RoomClass r : w.rooms()) {
            loads.add(new Load(r.name() + " (" + n(r.rooms()) + " × " + n(r.members()) + ", "
                    + num(r.msgsPerSec()) + " msg/s)", r.deliveriesPerSec() / c, r.messagesPerSec(), 1));
        }
        loads.add(new Load("user pushes (" + n(w.userPushesPerSec()) + "/s)", w.userPushesPerSec() / c,
                w.userPushesPerSec() / c, 1));
        double broadcasts = w.broadcastsPerMin() / 60;
        loads.add(new Load("broadcasts (" + num(w.broadcastsPerMin()) + "/min)",
                broadcasts * w.connectionsPerComet(), broadcasts, 1));
        return loads;
    }

    /** Heartbeats per comet per second; each is a read and a write, counted as two deliveries. */
    double heartbeats() {
        return w.connectionsPerComet() / w.heartbeatSeconds();
    }

    double cometCores(double packetsPerWrite) {
        double cores = 2 * heartbeats() * deliveryCost(1);
        for (Load l : cometLoads()) {
            cores += l.deliveries() * deliveryCost(l.name().startsWith("user") ? 1 : packetsPerWrite)
                    + l.calls() * callCost();
        }
        return cores;
    }

    Table cometMemory() {
        double n = w.connectionsPerComet();
        double tcp = n * (1 - w.websocketShare());
        double ws = n * w.websocketShare();
        double live = tcp * in.m("heap-per-tcp-connection") + ws * in.m("heap-per-ws-connection");
        double heap = live * in.a("heap-headroom") + in.a("heap-base-mib") * MIB;
        double beyond = n * in.m("process-memory-beyond-heap-per-connection");
        double kernel = n * in.m("kernel-memory-per-connection");
        double total = heap + beyond + kernel;
        return new Table("Comet memory (" + n(n) + " connections each, " + pct(w.websocketShare()) + " WebSocket)",
                "part", "per comet", "how")
                .row("live heap", gib(live), n(tcp) + " × " + n(in.m("heap-per-tcp-connection")) + " B + " + n(ws)
                        + " × " + n(in.m("heap-per-ws-connection")) + " B")
                .row("heap (-Xmx)", gib(heap), "live × " + num(in.a("heap-headroom")) + " + "
                        + n(in.a("heap-base-mib")) + " MiB")
                .row("beyond the heap (direct buffers, native)", gib(beyond),
                        n(in.m("process-memory-beyond-heap-per-connection")) + " B × connections")
                .row("kernel (socket structures, idle)", gib(kernel),
                        n(in.m("kernel-memory-per-connection")) + " B × connections")
                .row("total", gib(total), pct(total / (w.memoryPerCometGib() * GIB)) + " of "
                        + num(w.memoryPerCometGib()) + " GiB");
    }

    Table cometCpu() {
        Table t = new Table("Comet CPU and network, per comet (" + w.comets() + " comets)",
                "load", "deliveries/s", "push calls/s", "cores, 1 packet per write", "cores, " + BATCH
                        + " per write", "Mbit/s out, 1 per write");
        double out = 0;
        for (Load l : cometLoads()) {
            boolean user = l.name().startsWith("user");
            double batched = l.deliveries() * deliveryCost(user ? 1 : BATCH) + l.calls() * callCost();
            double bits = l.deliveries() * bitsPerDelivery(1);
            out += bits;
            t.row(l.name(), n(l.deliveries()), n(l.calls()),
                    num(l.deliveries() * deliveryCost(1) + l.calls() * callCost()), num(batched), n(bits / 1e6));
        }
        t.row("heartbeats (every " + n(w.heartbeatSeconds()) + " s)", n(heartbeats()), "0",
                num(2 * heartbeats() * deliveryCost(1)), num(2 * heartbeats() * deliveryCost(1)),
                n(heartbeats() * bitsPerDelivery(1) / 1e6));
        double unbatched = cometCores(1);
        double batched = cometCores(BATCH);
        t.row("total", "", "", num(unbatched), num(batched), n(out / 1e6));
        t.row("of " + w.coresPerComet() + " cores / " + num(w.nicGbpsPerComet()) + " Gbit/s", "", "",
                pct(unbatched / w.coresPerComet()), pct(batched / w.coresPerComet()),
                pct(out / (w.nicGbpsPerComet() * 1e9)));
        return t;
    }

    /** Job → comet push calls over the cluster: every room message goes to every comet. */
    double jobCalls() {
        return w.roomMessagesPerSec() * w.comets() + w.userPushesPerSec() + w.broadcastsPerMin() / 60 * w.comets();
    }

    double messagesPerSec() {
        return w.roomMessagesPerSec() + w.userPushesPerSec() + w.broadcastsPerMin() / 60;
    }

    double jobCores() {
        return messagesPerSec() * in.m("job-cpu-per-message") * 1e-3 + jobCalls() * in.m("job-cpu-per-comet-call") * 1e-6;
    }

    int jobs() {
        return (int) Math.ceil(jobCores() / (in.a("cores-per-job") * in.a("target-utilization")));
    }

    Table fanOut() {
        Table t = new Table("Job → comet fan-out (every room message to every comet, one call per comet per batch)",
                "load", "messages/s", "calls/s, cluster", "calls/s per comet", "comet cores per comet for the calls",
                "job cores for the calls");
        for (RoomClass r : w.rooms()) {
            double calls = r.messagesPerSec() * w.comets();
            t.row(r.name(), n(r.messagesPerSec()), n(calls), n(r.messagesPerSec()),
                    num(r.messagesPerSec() * callCost()), num(calls * in.m("job-cpu-per-comet-call") * 1e-6));
        }
        t.row("user pushes", n(w.userPushesPerSec()), n(w.userPushesPerSec()), n(w.userPushesPerSec() / w.comets()),
                num(w.userPushesPerSec() / w.comets() * callCost()),
                num(w.userPushesPerSec() * in.m("job-cpu-per-comet-call") * 1e-6));
        double bytes = 0;
        for (RoomClass r : w.rooms()) {
            bytes += r.messagesPerSec() * w.comets() * (in.a("bytes-per-grpc-call") + HEADER + w.bodyBytes());
        }
        t.row("total job → comet traffic", "", n(jobCalls()), n(jobCalls() / w.comets()), "",
                mbit(bytes * 8) + " Mbit/s out of the jobs");
        return t;
    }

    Table backend() {
        double msgs = messagesPerSec();
        double kafkaCores = msgs * in.m("kafka-cpu-per-message") * 1e-3;
        int brokers = Math.max(3, (int) Math.ceil(kafkaCores / (in.a("cores-per-broker") * in.a("target-utilization"))));
        double kafkaMbit = msgs * (w.bodyBytes() + in.a("bytes-per-kafka-record")) * 8 * 3 / 1e6;
        int jobs = jobs();
        int partitions = Math.max(12, jobs * (int) in.a("partitions-per-job"));
        double perCore = 1 / in.a("logic-measured-cores");
        double logicCores = w.roomMessagesPerSec() / (in.m("logic-room-pushes-per-process") * perCore)
                + w.userPushesPerSec() / (in.m("logic-user-pushes-per-process") * perCore);
        int logics = (int) Math.ceil(logicCores / (in.a("cores-per-logic") * in.a("target-utilization")));
        RoomClass hottest = w.rooms().stream().max((a, b) -> Double.compare(a.msgsPerSec(), b.msgsPerSec())).orElseThrow();
        return new Table("Logic, Kafka and job", "tier", "load", "cores", "processes", "how")
                .row("logic (HTTP front door)", n(w.roomMessagesPerSec()) + " room + " + n(w.userPushesPerSec())
                                + " user pushes/s", num(logicCores), logics + " × " + n(in.a("cores-per-logic")) + " cores",
                        "measured " + n(in.m("logic-room-pushes-per-process")) + " room / "
                                + n(in.m("logic-user-pushes-per-process")) + " user pushes/s per logic on "
                                + n(in.a("logic-measured-cores")) + " cores")
                .row("Kafka", n(msgs) + " records/s, " + n(kafkaMbit) + " Mbit/s with 3 replicas", num(kafkaCores),
                        brokers + " brokers, " + partitions + " partitions",
                        num(in.m("kafka-cpu-per-message")) + " ms per record (one broker, acks=all); partitions = "
                                + n(in.a("partitions-per-job")) + " per job, at least 12")
                .row("job", n(msgs) + " records/s → " + n(jobCalls()) + " comet calls/s", num(jobCores()),
                        jobs + " × " + n(in.a("cores-per-job")) + " cores",
                        num(in.m("job-cpu-per-message")) + " ms per record + " + n(in.m("job-cpu-per-comet-call"))
                                + " µs per call")
                .row("hottest partition", hottest.name() + ": " + num(hottest.msgsPerSec()) + " msg/s on one partition",
                        num(hottest.msgsPerSec() * (in.m("job-cpu-per-message") * 1e-3
                                + w.comets() * in.m("job-cpu-per-comet-call") * 1e-6)),
                        "1 job", "a room is one key, so one partition and one job carry it: "
                                + n(hottest.msgsPerSec() * w.comets()) + " calls/s");
    }

    Table sessions() {
        double n = w.connections();
        double pairs = 0;
        for (RoomClass r : w.rooms()) {
            pairs += r.rooms() * r.cometsPerRoom(w.comets());
        }
        Table t = new Table("Session store (" + n(n) + " sessions, one connection per user)", "store", "memory", "how");
        double router = in.m("router-heap-per-session");
        if (router > 0) {
            t.row("routers (live heap, all routers)", gib(n * router), n(router) + " B × sessions; heaps "
                    + gib(n * router * in.a("heap-headroom")) + " in all (× " + num(in.a("heap-headroom")) + ")");
        }
        double v2 = n * in.m("redis-per-session-goim-v2");
        double hash = n * in.m("redis-per-session-hash") + pairs * in.m("redis-per-room-count");
        return t.row("Redis, goim v2 layout (mid_ hash + key_ string)", gib(v2),
                        n(in.m("redis-per-session-goim-v2")) + " B × sessions (room counts: JSON per comet, not counted)")
                .row("Redis, the session store's layout", gib(hash), n(in.m("redis-per-session-hash"))
                        + " B × sessions + " + n(pairs) + " (comet, room) counts × " + n(in.m("redis-per-room-count")) + " B");
    }

    /** Logins per second the logics can take: their cores over logic's CPU per login. */
    double loginCapacity() {
        return w.logics() * in.a("cores-per-logic") / (in.m("logic-cpu-per-login") * 1e-3);
    }

    Table loginStorm() {
        double capacity = loginCapacity();
        double s = w.stormClients();
        double graceful = s / w.drainWindowSeconds();
        return new Table("Login storm: a comet with " + n(s) + " clients restarts", "case", "logins/s asked",
                "time to log all in", "verdict")
                .row("graceful stop (drain window " + n(w.drainWindowSeconds()) + " s)", n(graceful),
                        num(Math.max(w.drainWindowSeconds(), s / capacity)) + " s",
                        graceful <= capacity ? "fits" : "queues in the comets' login windows")
                .row("crash: all at once", n(s), num(s / capacity) + " s", s / capacity <= w.loginTimeoutSeconds()
                        ? "within login-timeout (" + n(w.loginTimeoutSeconds()) + " s)"
                        : "past login-timeout: logins time out and retry")
                .row("login capacity", n(capacity), "", w.logics() + " logics × " + n(in.a("cores-per-logic"))
                        + " cores at " + num(in.m("logic-cpu-per-login")) + " ms per login; the session store takes "
                        + num(s * in.m("router-cpu-per-login") * 1e-3) + " CPU-s of router for the storm");
    }

    Table inputsTable() {
        Table t = new Table("Inputs", "input", "value", "source");
        in.measured().forEach((k, f) -> t.row(k, (f.value() == Math.rint(f.value()) ? n(f.value()) : num(f.value()))
                + " " + f.unit(), f.source()));
        t.row("derived: TCP write", num(tcpWriteCost() * 1e6) + " µs", "from the two minimal-server points, ÷ comet-vs-minimal");
        t.row("derived: packet in a write", num(packetCost() * 1e6) + " µs", "same");
        t.row("derived: WebSocket frame", num(wsWriteCost() * 1e6) + " µs", "minimal-unbatched-ws, ÷ comet-vs-minimal, less a packet");
        return t;
    }

    /**
     * How far the workload can grow before each provisioned tier reaches its target
     * utilization: the smallest factor is where the plan breaks first.
     */
    Table headroom() {
        double target = in.a("target-utilization");
        double memory = cometMemoryBytes();
        double bits = 0;
        for (Load l : cometLoads()) {
            bits += l.deliveries() * bitsPerDelivery(1);
        }
        double logicCores = w.roomMessagesPerSec() / (in.m("logic-room-pushes-per-process") / in.a("logic-measured-cores"))
                + w.userPushesPerSec() / (in.m("logic-user-pushes-per-process") / in.a("logic-measured-cores"));
        double logins = loginCapacity();
        double loginsNeeded = w.stormClients() / w.loginTimeoutSeconds();
        Table t = new Table("Headroom: how far the load may grow before a tier reaches " + pct(target)
                + " (the smallest breaks first)", "tier", "needed", "provisioned", "growth factor");
        t.row("comet CPU, 1 packet per write", num(cometCores(1)) + " cores", w.coresPerComet() + " cores",
                num(w.coresPerComet() * target / cometCores(1)) + "×");
        t.row("comet CPU, " + BATCH + " packets per write (latency traded)", num(cometCores(BATCH)) + " cores",
                w.coresPerComet() + " cores", num(w.coresPerComet() * target / cometCores(BATCH)) + "×");
        t.row("comet memory", gib(memory), num(w.memoryPerCometGib()) + " GiB",
                num(w.memoryPerCometGib() * GIB * target / memory) + "×");
        t.row("comet NIC", mbit(bits) + " Mbit/s", num(w.nicGbpsPerComet()) + " Gbit/s",
                num(w.nicGbpsPerComet() * 1e9 * target / bits) + "×");
        t.row("logic front door", num(logicCores) + " cores", w.logics() + " × " + n(in.a("cores-per-logic")) + " cores",
                num(w.logics() * in.a("cores-per-logic") * target / logicCores) + "×");
        t.row("logins after a comet crash (all within login-timeout)", n(loginsNeeded) + " logins/s", n(logins) + " logins/s",
                num(logins * target / loginsNeeded) + "×");
        return t;
    }

    double cometMemoryBytes() {
        double n = w.connectionsPerComet();
        double live = n * ((1 - w.websocketShare()) * in.m("heap-per-tcp-connection")
                + w.websocketShare() * in.m("heap-per-ws-connection"));
        return live * in.a("heap-headroom") + in.a("heap-base-mib") * MIB
                + n * (in.m("process-memory-beyond-heap-per-connection") + in.m("kernel-memory-per-connection"));
    }

    List<Table> tables() {
        return List.of(headroom(), cometMemory(), cometCpu(), fanOut(), backend(), sessions(), loginStorm(), inputsTable());
    }

    static final double MIB = 1024 * 1024;
    static final double GIB = 1024 * MIB;

    static String n(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    static String num(double v) {
        if (v != 0 && Math.abs(v) < 0.1) {
            return String.format(Locale.ROOT, "%.3f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) < 10 ? "%.2f" : "%,.1f", v);
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.0f %%", v * 100);
    }

    static String gib(double bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / GIB);
    }

    static String mbit(double bits) {
        return n(bits / 1e6);
    }
}
