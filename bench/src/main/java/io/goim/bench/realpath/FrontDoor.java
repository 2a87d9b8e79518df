package io.goim.bench.realpath;

import io.goim.bench.ProcessCpu;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Logic's front door measured with a standard HTTP load tool, as issue 12 asks: {@code wrk}
 * (Debian package {@code wrk}) POSTs pushes on {@code connections} keep-alive connections
 * as fast as logic answers, after a warm-up of the same load. Logic answers
 * {@code {"ret":1}} only once Kafka acknowledged the record, so accepted pushes per second
 * is the rate of pushes Kafka holds; the tool cross-checks it with logic's own count of
 * acknowledged sends ({@code goim_logic_kafka_send_seconds_count{outcome="ok"}}). The wrk
 * script ({@code realpath/front-door.lua}) counts answers other than {@code ret: 1} as refused
 * and prints the latency percentiles wrk measured (request written → answer read).
 */
final class FrontDoor {
    private static final String KAFKA_OK = "goim_logic_kafka_send_seconds_count{outcome=\"ok\",service=\"logic\"}";

    /**
     * One measured window.
     *
     * @param kafkaAcked logic's acknowledged Kafka sends in the window (one per accepted push here)
     * @param cpuSeconds CPU seconds of each cluster process in the window
     */
    record Result(long accepted, long refused, long errors, double seconds, double p50Millis, double p99Millis,
            double p999Millis, double maxMillis, String firstRefusal, long kafkaAcked, Map<String, Double> cpuSeconds) {
        double acceptedPerSecond() {
            return seconds > 0 ? accepted / seconds : 0;
        }
    }

    private FrontDoor() {
    }

    static Result run(Cluster cluster, Path runDir, URI uri, int connections, Duration warmup, Duration window)
            throws IOException, InterruptedException {
        Path script = runDir.resolve("front-door.lua");
        try (InputStream in = FrontDoor.class.getResourceAsStream("/realpath/front-door.lua")) {
            if (in == null) {
                throw new IOException("realpath/front-door.lua missing from the bench jar");
            }
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        wrk(script, uri, connections, warmup);
        Map<String, Long> pids = cluster.pidsByName();
        Map<String, Double> before = cpu(pids);
        double ackedBefore = cluster.logic.metric(KAFKA_OK);
        Map<String, String> out = wrk(script, uri, connections, window);
        Map<String, Double> after = cpu(pids);
        double ackedAfter = cluster.logic.metric(KAFKA_OK);
        Map<String, Double> used = new LinkedHashMap<>();
        before.forEach((name, t) -> used.put(name, after.get(name) - t));
        return new Result(num(out, "accepted"), num(out, "refused"), num(out, "errors"),
                num(out, "duration_us") / 1e6, num(out, "p50_us") / 1e3, num(out, "p99_us") / 1e3,
                num(out, "p99.9_us") / 1e3, num(out, "max_us") / 1e3, out.getOrDefault("first_refusal", ""),
                (long) (ackedAfter - ackedBefore), used);
    }

    static String describe(Result r) {
        StringBuilder cpu = new StringBuilder();
        r.cpuSeconds().forEach((name, t) -> cpu.append(cpu.length() == 0 ? "" : ", ")
                .append(String.format(Locale.ROOT, "%s %.2f s", name, t)));
        return String.format(Locale.ROOT, "%,.0f accepted pushes/s (%,d in %.1f s; refused %,d, errors %,d; "
                        + "logic's Kafka acks %,d); answer p50 %s / p99 %s / p99.9 %s / max %s ms%n    CPU by process: %s",
                r.acceptedPerSecond(), r.accepted(), r.seconds(), r.refused(), r.errors(), r.kafkaAcked(),
                Report.num(r.p50Millis()), Report.num(r.p99Millis()), Report.num(r.p999Millis()),
                Report.num(r.maxMillis()), cpu)
                + (r.firstRefusal().isEmpty() ? "" : "\n    first refusal: " + r.firstRefusal());
    }

    /** Runs wrk for {@code length}; returns the script's {@code frontdoor key=value} lines. */
    private static Map<String, String> wrk(Path script, URI uri, int connections, Duration length)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("wrk", "-t2", "-c" + connections, "-d" + length.toSeconds() + "s",
                "--latency", "-s", script.toString(), uri.toString()));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run wrk (Debian: apt-get install -y wrk): " + e.getMessage(), e);
        }
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("wrk failed: " + text);
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("frontdoor ")) {
                int eq = line.indexOf('=');
                m.put(line.substring("frontdoor ".length(), eq), line.substring(eq + 1).trim());
            }
        }
        if (!m.containsKey("accepted")) {
            throw new IOException("wrk printed no result: " + text);
        }
        return m;
    }

    private static long num(Map<String, String> m, String key) {
        return Long.parseLong(m.getOrDefault(key, "0"));
    }

    private static Map<String, Double> cpu(Map<String, Long> pids) throws IOException {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : pids.entrySet()) {
            m.put(e.getKey(), ProcessCpu.of(e.getValue()).total());
        }
        return m;
    }
}
