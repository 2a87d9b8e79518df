package io.goim.comet;

import io.goim.libs.admin.CounterFamily;
import io.goim.protocol.Op;
import io.goim.protocol.ProtocolException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Every meter comet keeps, named and described here and created once, when the comet is
 * built; each component is handed the few it counts with (the views below) and increments
 * them where the event happens, so {@code /metrics} shows the counts themselves, not a copy.
 * Pushes received per RPC come from the push gRPC server's interceptor, logic calls from
 * {@link LogicClient}'s (libs {@code RpcMetrics}). docs/operations.md says what each means
 * and when to alert; its list is checked against a scrape (e2e {@code DocumentedMetricsTest}).
 *
 * <p>Thread-safe: Micrometer counters are.
 */
final class CometMeters {
    // --- connections (the pipeline handlers, through CometContext) ---
    final Counter authOk;
    final Counter authFailed;
    final Counter handshakeTimeouts;
    final Counter loginTimeouts;
    final Counter loginAnswersUndone;
    final Counter heartbeatTimeouts;
    private final Map<ProtocolException.Kind, Counter> protocolErrors = new EnumMap<>(ProtocolException.Kind.class);
    /** By op code 0-255; the codes goim does not define share the {@code unknown} series. */
    private final Counter[] opsReceived = new Counter[256];
    final Counter packetsWritten;
    final Counter bytesWritten;
    final Counter drained;
    final CounterFamily roomOpsRefused;
    final Counter subscriptionsRefused;

    final Push push;
    final Disconnects disconnects;
    final RoomReports roomReports;
    final Renew renew;
    final PacedWebSocketProtocolHandler.Meters pings;
    final Counter reloads;
    final Counter routerEpochChanges;
    final Counter announcedOk;
    final Counter announceFailed;
    final Map<PerIpLimits.Refusal, Counter> connectionsRefused = new EnumMap<>(PerIpLimits.Refusal.class);
    final CounterFamily pushControlOpsRefused;
    final Upstream upstream;

    private final MeterRegistry registry;

    /** Pushes to connections: Outboxes and its loops. */
    record Push(Counter queued, Counter dropped, Counter packetsWritten, Counter slowConsumers, Counter refused,
            DistributionSummary merged) {
    }

    /** Disconnect calls to logic. */
    record Disconnects(Counter reported, Counter retries, Counter lost) {
    }

    /** Room change reports to logic. */
    record RoomReports(Counter reported, Counter failed, Counter conflicts) {
    }

    /** Renew calls to logic and what they said of the connections vouched for. */
    record Renew(Counter ok, Counter failed, Counter refreshed, Counter relearned, Counter conflictClosed) {
    }

    /** Client messages sent to Kafka (upstream kafka mode). */
    record Upstream(Map<UpstreamProducer.Outcome, Counter> outcomes, Timer ack) {
    }

    CometMeters(MeterRegistry r) {
        this.registry = r;
        authOk = counter(r, "goim_comet_auth", AUTH_HELP, "result", "ok");
        authFailed = counter(r, "goim_comet_auth", AUTH_HELP, "result", "failed");
        handshakeTimeouts = counter(r, "goim_comet_handshake_timeouts", "Connections closed before auth completed in time");
        loginTimeouts = counter(r, "goim_comet_login_timeouts",
                "Connections closed because logic did not answer their login within login-timeout");
        loginAnswersUndone = counter(r, "goim_comet_login_answers_undone", "Connect answers that came after their login"
                + " was given up (client gone, or logic-timeout passed): the session logic stored is disconnected again");
        heartbeatTimeouts = counter(r, "goim_comet_heartbeat_timeouts", "Connections closed for a missed heartbeat");
        for (ProtocolException.Kind kind : ProtocolException.Kind.values()) {
            protocolErrors.put(kind, counter(r, "goim_comet_protocol_errors", "Connections closed for a protocol error, by kind",
                    "kind", kind.name().toLowerCase(Locale.ROOT)));
        }
        // One series per operation goim defines, and one for every other code (bounded tags).
        Counter unknown = counter(r, "goim_comet_ops_received", OPS_HELP, "op", "unknown");
        for (int op = 0; op < opsReceived.length; op++) {
            String name = Op.name(op);
            opsReceived[op] = name.equals("unknown") ? unknown : counter(r, "goim_comet_ops_received", OPS_HELP, "op", name);
        }
        packetsWritten = counter(r, "goim_comet_packets_written", "goim packets written to connections");
        bytesWritten = counter(r, "goim_comet_bytes_written", "Bytes handed to client sockets");
        drained = counter(r, "goim_comet_drained", "Connections sent op 6 and closed by a graceful drain");
        // Tagged by op name and a fixed reason: bounded.
        subscriptionsRefused = counter(r, "goim_comet_subscriptions_refused", "Subscriptions (op 14) refused because"
                + " the connection would accept more than 64 operations: answered op 15 with an empty body");
        roomOpsRefused = new CounterFamily(r, "goim_comet_room_ops_refused", "Room operations (ops 12, 18, 20) refused:"
                + " a malformed room key, or a join past comet.max-rooms-per-connection", "op", "reason");
        push = new Push(counter(r, "goim_comet_pushes", PUSHES_HELP, "outcome", "queued"),
                counter(r, "goim_comet_pushes", PUSHES_HELP, "outcome", "dropped"),
                packetsWritten, protocolErrors.get(ProtocolException.Kind.SLOW_CONSUMER),
                counter(r, "goim_comet_push_refused", "Push calls answered RESOURCE_EXHAUSTED because"
                        + " comet.push.max-pending bytes were waiting (job retries them)"),
                DistributionSummary.builder("goim_comet_push_merged_messages")
                        .description("Messages per room or broadcast write: more than one when they piled up while the loop was busy")
                        .register(r));
        disconnects = new Disconnects(counter(r, "goim_comet_disconnects", DISCONNECTS_HELP, "outcome", "reported"),
                counter(r, "goim_comet_disconnect_retries", "Disconnect calls to logic retried"),
                counter(r, "goim_comet_disconnects", DISCONNECTS_HELP, "outcome", "lost"));
        roomReports = new RoomReports(
                counter(r, "goim_comet_room_reports", "Connections whose room change was reported to logic (renew path)"),
                counter(r, "goim_comet_room_report_failures", "Room change reports to logic that failed (retried)"),
                counter(r, "goim_comet_room_report_conflicts",
                        "Connections closed because a room change report found their subKey on another comet"));
        renew = new Renew(counter(r, "goim_comet_renew_calls", RENEW_CALLS_HELP, "outcome", "ok"),
                counter(r, "goim_comet_renew_calls", RENEW_CALLS_HELP, "outcome", "failed"),
                counter(r, "goim_comet_renewed_connections", RENEWED_HELP, "outcome", "refreshed"),
                counter(r, "goim_comet_renewed_connections", RENEWED_HELP, "outcome", "relearned"),
                counter(r, "goim_comet_renewed_connections", RENEWED_HELP, "outcome", "conflict_closed"));
        pings = new PacedWebSocketProtocolHandler.Meters(counter(r, "goim_comet_websocket_pings", PINGS_HELP, "outcome", "answered"),
                counter(r, "goim_comet_websocket_pings", PINGS_HELP, "outcome", "unanswered"));
        reloads = counter(r, "goim_comet_reloads", "Whitelist and log configuration reloads");
        routerEpochChanges = counter(r, "goim_comet_router_epoch_changes",
                "Router epoch changes seen (a router restarted or came back); each renews every connection");
        announcedOk = counter(r, "goim_comet_announcements", ANNOUNCEMENTS_HELP, "outcome", "ok");
        announceFailed = counter(r, "goim_comet_announcements", ANNOUNCEMENTS_HELP, "outcome", "failed");
        for (PerIpLimits.Refusal refusal : PerIpLimits.Refusal.values()) {
            connectionsRefused.put(refusal, counter(r, "goim_comet_connections_refused",
                    "Client connections closed as soon as accepted: too many open from one address"
                            + " (comet.limits.per-ip-connections) or opened too fast (per-ip-login-rate/-burst)",
                    "reason", refusal.label));
        }
        // Tagged by name: Op.name maps every undefined code to "unknown", so the tag stays bounded.
        pushControlOpsRefused = new CounterFamily(r, "goim_comet_push_control_ops_refused", "Push calls refused"
                + " INVALID_ARGUMENT because they carried a control operation (handshake, heartbeat, auth, disconnect...),"
                + " not a push", "op").register(Op.controlNames());
        Map<UpstreamProducer.Outcome, Counter> outcomes = new EnumMap<>(UpstreamProducer.Outcome.class);
        for (UpstreamProducer.Outcome o : UpstreamProducer.Outcome.values()) {
            outcomes.put(o, counter(r, "goim_comet_upstream", "Client messages (op 4) in kafka mode, by what became of them",
                    "outcome", o.label));
        }
        upstream = new Upstream(outcomes, Timer.builder("goim_comet_upstream_ack")
                .description("Time from reading a client message to Kafka's acknowledgement of its record")
                .register(r));
    }

    /** Where the meters are registered: what {@code /metrics} shows. */
    MeterRegistry registry() {
        return registry;
    }

    /** Counts a connection closed for {@code kind} of protocol error. */
    void protocolError(ProtocolException.Kind kind) {
        protocolErrors.get(kind).increment();
    }

    /** Counts a packet of {@code op} received from a client (codes outside a byte are not counted). */
    void opReceived(int op) {
        if (op >= 0 && op < opsReceived.length) {
            opsReceived[op].increment();
        }
    }

    /** The gauges, read from the parts that hold the values when {@code /metrics} is scraped. */
    void gauges(Buckets buckets, LoginWindow logins, Outboxes outboxes, PerIpGate perIp) {
        gauge("goim_comet_connections", "Authenticated connections", buckets, Buckets::online);
        gauge("goim_comet_rooms", "(bucket, room) pairs with someone online", buckets, Buckets::rooms);
        gauge("goim_comet_logins_waiting", "Logins waiting for room in the login window"
                + " (Connect calls to logic in flight at most login-window)", logins, LoginWindow::waiting);
        gauge("goim_comet_push_pending_bytes", "Bytes of pushes waiting for the event loops to write them",
                outboxes, Outboxes::pending);
        gauge("goim_comet_client_addresses", "Client addresses (IPv6: /64s) the per-address limits remember",
                perIp, PerIpGate::addresses);
        gauge("goim_comet_client_addresses_open",
                "Client addresses (IPv6: /64s) with at least one connection open (goim v2's ip_count)",
                perIp, PerIpGate::addressesOpen);
    }

    private <T> void gauge(String name, String help, T obj, ToDoubleFunction<T> value) {
        Gauge.builder(name, obj, value).description(help).register(registry);
    }

    private static Counter counter(MeterRegistry r, String name, String help, String... tags) {
        return Counter.builder(name).description(help).tags(tags).register(r);
    }

    private static final String AUTH_HELP = "Handshakes by result";
    private static final String OPS_HELP = "Packets received from clients, by operation";
    private static final String PUSHES_HELP = "Pushes to connections: queued for writing, or dropped"
            + " (the connection's backlog passed comet.write-buffer.max-backlog and it was closed as a slow consumer)";
    private static final String DISCONNECTS_HELP = "Disconnects sent to logic: acknowledged, or lost after retries";
    private static final String RENEW_CALLS_HELP =
            "Renew calls to logic (periodic rounds and epoch renews after a router or Redis restart), by outcome";
    private static final String RENEWED_HELP = "Connections vouched for in Renew calls: known to the session store"
            + " (refreshed), forgotten and learned again (relearned), or closed because their key is held on another comet";
    private static final String PINGS_HELP = "WebSocket pings: answered with a pong, or left unanswered because the"
            + " connection was not writable and a later ping was answered instead (or it closed first)";
    private static final String ANNOUNCEMENTS_HELP = "Announcements to logic (comet discovery), by outcome";
}
