package io.goim.bench.realpath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Every process the benchmark starts, so that exactly those are stopped, in reverse order,
 * at the end, on failure and on Ctrl-C (a shutdown hook). Stopping is SIGTERM, then
 * SIGKILL after 15 s. Thread-safe.
 */
public final class Processes implements AutoCloseable {
    private final List<Started> started = new ArrayList<>();

    /** One started process: its name and handle. */
    public record Started(String name, Process process) {
        public long pid() {
            return process.pid();
        }

        public boolean alive() {
            return process.isAlive();
        }
    }

    public Processes() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "stop-processes"));
    }

    /** Starts {@code command} with its output (stdout and stderr) appended to {@code log}. */
    synchronized Started start(String name, List<String> command, Path log) throws IOException {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        Started s = new Started(name, b.start());
        started.add(s);
        return s;
    }

    /** Starts {@code command} with stdin and stdout piped to the caller (stderr to {@code log}). */
    synchronized Started startPiped(String name, List<String> command, Path log) throws IOException {
        ProcessBuilder b = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Started s = new Started(name, b.start());
        started.add(s);
        return s;
    }

    /** Runs {@code command} to completion (at most {@code timeoutSeconds}); returns its exit code. */
    static int run(List<String> command, Path log, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out after " + timeoutSeconds + " s: " + command);
        }
        return p.exitValue();
    }

    /** Stops one process started here. */
    void stop(Started s) {
        synchronized (this) {
            started.remove(s);
        }
        terminate(s);
    }

    /**
     * Kills one process started here with SIGKILL ({@code kill -9}: no shutdown hook, no
     * flush) and waits until it is gone.
     */
    public void kill(Started s) throws InterruptedException {
        synchronized (this) {
            started.remove(s);
        }
        s.process().destroyForcibly();
        if (!s.process().waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(s.name() + " (pid " + s.pid() + ") survived SIGKILL for 30 s");
        }
    }

    private static void terminate(Started s) {
        Process p = s.process();
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                System.err.println(s.name() + " (pid " + s.pid() + ") did not stop in 15 s; killing it");
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        List<Started> all;
        synchronized (this) {
            all = new ArrayList<>(started);
            started.clear();
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            terminate(all.get(i));
        }
    }

    /** Deletes {@code dir} and everything under it, if it exists: a run's directory before the run. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
