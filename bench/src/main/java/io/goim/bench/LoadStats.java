package io.goim.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one load-client process. Thread-safe: event loops increment, the report
 * thread reads. {@link #write} renders them as {@code key=value} lines, the format the
 * wrapper script and {@link RoomPushDriver} sum over several processes.
 */
final class LoadStats {
    /** Connections whose TCP connect succeeded. */
    final LongAdder connected = new LongAdder();
    /** Connect attempts that failed (refused, no port, ...). */
    final LongAdder connectFailed = new LongAdder();
    /** Connections that got their auth reply (op 8). */
    final LongAdder authed = new LongAdder();
    /** Attempts closed, or timed out, before an auth reply. */
    final LongAdder authFailed = new LongAdder();
    /** New attempts after a failed connect or auth. */
    final LongAdder retries = new LongAdder();
    /** Connections given up after their last failed attempt. */
    final LongAdder gaveUp = new LongAdder();
    /** Authenticated connections the server closed while the run was still going. */
    final LongAdder dropped = new LongAdder();
    /** Connections open right now. */
    final LongAdder open = new LongAdder();
    /** Pushes received: op 5 packets, each packet of a batch counted. */
    final LongAdder pushes = new LongAdder();
    /** Heartbeat replies (op 3) received. */
    final LongAdder heartbeatReplies = new LongAdder();
    /** Connections closed because the server sent bytes that are not goim packets. */
    final LongAdder protocolErrors = new LongAdder();
    /** Time from first connect to op 8, per connection. */
    final LoginLatencies logins;

    LoadStats() {
        this(0);
    }

    LoadStats(int connections) {
        logins = new LoginLatencies(connections);
    }

    Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("open", open.sum());
        m.put("connected", connected.sum());
        m.put("connectFailed", connectFailed.sum());
        m.put("authed", authed.sum());
        m.put("authFailed", authFailed.sum());
        m.put("retries", retries.sum());
        m.put("gaveUp", gaveUp.sum());
        m.put("dropped", dropped.sum());
        m.put("pushes", pushes.sum());
        m.put("heartbeatReplies", heartbeatReplies.sum());
        m.put("protocolErrors", protocolErrors.sum());
        long[] login = logins.percentilesMillis();
        m.put("loginP50Ms", login[0]);
        m.put("loginP99Ms", login[1]);
        m.put("loginMaxMs", login[2]);
        return m;
    }

    /** Atomically replaces {@code file} with the current counters. */
    void write(Path file) throws IOException {
        StringBuilder b = new StringBuilder();
        snapshot().forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, b);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
