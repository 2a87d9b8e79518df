package io.goim.libs.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} process (the Debian package) for tests, on a free loopback
 * port, without persistence: {@link #restart} brings it back empty on the same port, as a
 * Redis that crashed and lost its data. Missing {@code redis-server} fails the test with
 * how to install it (tests that need Redis do not skip).
 */
public final class RedisServer implements AutoCloseable {
    private final int port;
    private final Path dir;
    private final List<String> extraArgs;
    private Process process;

    private RedisServer(int port, Path dir, List<String> extraArgs) {
        this.port = port;
        this.dir = dir;
        this.extraArgs = extraArgs;
    }

    /**
     * Starts one on a free port and waits until it answers PING; {@code extraArgs} are more
     * redis-server options (e.g. {@code --cluster-enabled yes} for a Redis Cluster node).
     */
    public static RedisServer start(String... extraArgs) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        RedisServer r = new RedisServer(port, Files.createTempDirectory("goim-redis"), List.of(extraArgs));
        r.launch();
        return r;
    }

    private void launch() throws IOException, InterruptedException {
        String binary = findBinary();
        List<String> args = new java.util.ArrayList<>(List.of(binary, "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no",
                "--protected-mode", "yes"));
        args.addAll(extraArgs);
        process = new ProcessBuilder(args)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        try {
            Await.until("redis-server on port " + port + " answering PING (log: " + dir.resolve("redis.log") + ")",
                    Duration.ofSeconds(10), () -> process.isAlive() && "+PONG".equals(command("PING")));
        } catch (AssertionError e) {
            process.destroyForcibly();
            throw e;
        }
    }

    private static String findBinary() {
        for (String d : List.of("/usr/bin", "/usr/local/bin", "/usr/sbin")) {
            File f = new File(d, "redis-server");
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                File f = new File(d, "redis-server");
                if (f.canExecute()) {
                    return f.getPath();
                }
            }
        }
        throw new AssertionError("redis-server not found: these tests run a real Redis; install it with"
                + " `apt-get install -y redis-server` (.ci/run does)");
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Kills it (SIGKILL: a crash; nothing is saved). */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Kills it and starts it again, empty, on the same port. */
    public void restart() throws IOException, InterruptedException {
        kill();
        launch();
    }

    /**
     * One inline command over a fresh connection, answered as its first reply line
     * ({@code +PONG}, {@code :3}, {@code $5}...), or null when it cannot connect. For test
     * set-up and assertions; the code under test uses its own client.
     */
    public String command(String inline) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            if (line.length() > 0 && line.charAt(0) == '$' && !line.toString().equals("$-1")) {
                line.setLength(0);
                while ((c = in.read()) >= 0 && c != '\n') {
                    if (c != '\r') {
                        line.append((char) c);
                    }
                }
            }
            return line.toString();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() throws InterruptedException, IOException {
        kill();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
