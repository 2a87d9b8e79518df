package io.goim.bench.realpath;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The minimal fan-out server ({@code io.goim.bench.baseline.MinimalFanOutServer}) as a
 * child process driven over its standard input, on 127.0.0.1:{@value #TCP} (TCP) and
 * {@value #WS} (WebSocket). One per baseline measurement, so each starts cold like the comet
 * did once.
 */
final class Baseline implements AutoCloseable {
    static final int TCP = 18280;
    static final int WS = 18290;

    private final Processes processes;
    private final Processes.Started process;
    private final PrintWriter commands;
    private final BufferedReader replies;

    private Baseline(Processes processes, Processes.Started process) {
        this.processes = processes;
        this.process = process;
        this.commands = new PrintWriter(process.process().getOutputStream(), true, StandardCharsets.US_ASCII);
        this.replies = new BufferedReader(new InputStreamReader(process.process().getInputStream(), StandardCharsets.US_ASCII));
    }

    static Baseline start(Processes processes, Settings s) throws IOException {
        Processes.Started p = processes.startPiped("baseline", List.of(s.java(), "-Xmx" + s.cometHeap(), "-cp",
                s.benchJar().toString(), "io.goim.bench.baseline.MinimalFanOutServer", "127.0.0.1",
                Integer.toString(TCP), Integer.toString(WS)), s.runDir().resolve("logs").resolve("baseline.log"));
        Baseline b = new Baseline(processes, p);
        b.expect("ready");
        return b;
    }

    long pid() {
        return process.pid();
    }

    /** Generates {@code rate} msgs/s for {@code millis}, {@code batch} per write; returns how many were generated. */
    long push(int rate, int batch, long millis) throws IOException {
        commands.println("push " + rate + " " + batch + " " + millis);
        return Long.parseLong(expect("pushed ").trim());
    }

    private String expect(String prefix) throws IOException {
        String line;
        while ((line = replies.readLine()) != null) {
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
        }
        throw new IOException("the minimal server exited; see its log");
    }

    @Override
    public void close() {
        commands.println("quit");
        processes.stop(process);
    }
}
