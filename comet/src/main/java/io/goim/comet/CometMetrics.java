package io.goim.comet;

import io.goim.libs.protocol.Op;
import io.goim.libs.protocol.ProtocolException;
import io.goim.libs.admin.Meters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * Comet's metrics, read from {@link CometCounters} and the buckets when {@code /metrics}
 * is scraped (nothing is added to the connection or push path). Pushes received per RPC
 * come from the push gRPC server's interceptor, logic calls from {@link LogicClient}'s.
 * docs/operations.md says what each means and when to alert.
 */
final class CometMetrics {
    private CometMetrics() {
    }

    private static final String PUSHES_HELP = "Pushes to connections: queued for writing, or dropped"
            + " (the connection's backlog passed comet.write-buffer.max-backlog and it was closed as a slow consumer)";

    static void bind(MeterRegistry r, CometServer comet) {
        CometCounters c = comet.counters();
        Gauge.builder("goim_comet_connections", comet, CometServer::online)
                .description("Authenticated connections").register(r);
        Gauge.builder("goim_comet_rooms", comet, CometServer::rooms)
                .description("(bucket, room) pairs with someone online").register(r);
        Meters.counter(r, "goim_comet_auth", c.authOk, "Handshakes by result", "result", "ok");
        Meters.counter(r, "goim_comet_auth", c.authFailed, "Handshakes by result", "result", "failed");
        Gauge.builder("goim_comet_logins_waiting", comet, CometServer::loginsWaiting)
                .description("Logins waiting for room in the login window (Connect calls to logic in flight at most login-window)")
                .register(r);
        Meters.counter(r, "goim_comet_handshake_timeouts", c.handshakeTimeouts, "Connections closed before auth completed in time");
        Meters.counter(r, "goim_comet_login_timeouts", c.loginTimeouts,
                "Connections closed because logic did not answer their login within login-timeout");
        Meters.counter(r, "goim_comet_heartbeat_timeouts", c.heartbeatTimeouts, "Connections closed for a missed heartbeat");
        for (ProtocolException.Kind kind : ProtocolException.Kind.values()) {
            FunctionCounter.builder("goim_comet_protocol_errors", c, counters -> counters.protocolErrors(kind))
                    .description("Connections closed for a protocol error, by kind")
                    .tag("kind", kind.name().toLowerCase(java.util.Locale.ROOT)).register(r);
        }
        Meters.counter(r, "goim_comet_pushes", c.pushesQueued, PUSHES_HELP, "outcome", "queued");
        Meters.counter(r, "goim_comet_pushes", c.pushesDropped, PUSHES_HELP, "outcome", "dropped");
        Meters.counter(r, "goim_comet_packets_written", c.packetsWritten, "goim packets written to connections");
        Meters.counter(r, "goim_comet_bytes_written", c.bytesWritten, "Bytes handed to client sockets");
        Meters.counter(r, "goim_comet_disconnects", c.disconnectsReported, "Disconnects sent to logic: acknowledged, or lost after retries", "outcome", "reported");
        Meters.counter(r, "goim_comet_disconnects", c.disconnectsLost, "Disconnects sent to logic: acknowledged, or lost after retries", "outcome", "lost");
        Meters.counter(r, "goim_comet_disconnect_retries", c.disconnectRetries, "Disconnect calls to logic retried");
        Meters.counter(r, "goim_comet_reloads", c.reloads, "Whitelist and log configuration reloads");
        Meters.counter(r, "goim_comet_renew_calls", c.renewCalls, RENEW_CALLS_HELP, "outcome", "ok");
        Meters.counter(r, "goim_comet_renew_calls", c.renewFailures, RENEW_CALLS_HELP, "outcome", "failed");
        Meters.counter(r, "goim_comet_renewed_connections", c.renewRefreshed, RENEWED_HELP, "outcome", "refreshed");
        Meters.counter(r, "goim_comet_renewed_connections", c.renewRelearned, RENEWED_HELP, "outcome", "relearned");
        Meters.counter(r, "goim_comet_renewed_connections", c.renewConflictsClosed, RENEWED_HELP, "outcome", "conflict_closed");
        Meters.counter(r, "goim_comet_drained", c.drained, "Connections sent op 6 and closed by a graceful drain");
        // One series per operation goim defines, and one for every other code (bounded tags).
        List<Integer> undefined = new ArrayList<>();
        for (int op = 0; op < 256; op++) {
            if (Op.name(op).equals("unknown")) {
                undefined.add(op);
                continue;
            }
            int code = op;
            FunctionCounter.builder("goim_comet_ops_received", c, counters -> counters.opsReceived(code))
                    .description(OPS_HELP).tag("op", Op.name(op)).register(r);
        }
        FunctionCounter.builder("goim_comet_ops_received", c,
                        counters -> undefined.stream().mapToLong(counters::opsReceived).sum())
                .description(OPS_HELP).tag("op", "unknown").register(r);
    }

    private static final String RENEW_CALLS_HELP =
            "Renew calls to logic (periodic rounds and epoch renews after a router or Redis restart), by outcome";
    private static final String RENEWED_HELP = "Connections vouched for in Renew calls: known to the session store"
            + " (refreshed), forgotten and learned again (relearned), or closed because their key is held on another comet";
    private static final String OPS_HELP = "Packets received from clients, by operation";
}
