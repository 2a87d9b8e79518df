package io.goim.comet;

import io.goim.comet.cluster.LogicClient;
import io.goim.comet.cluster.UpstreamProducer;
import io.goim.comet.push.Outboxes;
import io.goim.comet.push.PacedBroadcasts;
import io.goim.comet.session.ConnectionRegistry;
import io.goim.comet.session.LoginWindow;
import io.goim.comet.transport.PacedWebSocketProtocolHandler;
import io.goim.comet.transport.PerIpGate;
import io.goim.comet.transport.PerIpLimits;
import io.goim.libs.admin.CounterFamily;
import io.goim.protocol.Op;
import io.goim.protocol.ProtocolException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collections;
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
public final class CometMeters {
    // --- connections: the pipeline handlers ---
    /** Handshakes and logins (AuthHandler, and the login window's late answers). */
    public final Auth auth;
    /** Authenticated connections (SessionHandler). */
    public final Sessions sessions;
    /** Connections closed for a protocol error, by kind (transport ProtocolErrors). */
    public final Map<ProtocolException.Kind, Counter> protocolErrors;
    public final OpsReceived opsReceived;
    /** goim packets written to clients: replies (transport Replies) and pushes (LoopOutbox). */
    public final Counter packetsWritten;
    public final Counter bytesWritten;
    public final Counter drained;
    public final CounterFamily roomOpsRefused;

    public final Push push;
    public final Paced paced;
    public final Repeats repeats;
    public final OnlineRenewals onlineRenewals;
    public final Disconnects disconnects;
    public final Disconnects loginUndos;
    public final RoomReports roomReports;
    public final Renew renew;
    public final PacedWebSocketProtocolHandler.Meters pings;
    final Counter reloads;
    public final Counter routerEpochChanges;
    final Counter announcedOk;
    final Counter announceFailed;
    public final Map<PerIpLimits.Refusal, Counter> connectionsRefused;
    public final CounterFamily pushControlOpsRefused;
    public final Upstream upstream;

    private final MeterRegistry registry;

    /** Handshakes and logins. */
    public record Auth(Counter ok, Counter failed, Counter handshakeTimeouts, Counter loginTimeouts, Counter answersUndone) {
    }

    /** Authenticated connections. */
    public record Sessions(Counter heartbeatTimeouts, Counter subscriptionsRefused) {
    }

    /** Packets received from clients, by op code 0-255; the codes goim does not define share the {@code unknown} series. */
    public static final class OpsReceived {
        private final Counter[] byOp = new Counter[256];

        private OpsReceived(MeterRegistry r) {
            // One series per operation goim defines, and one for every other code (bounded tags).
            Counter unknown = counter(r, "goim_comet_ops_received", OPS_HELP, "op", "unknown");
            for (int op = 0; op < byOp.length; op++) {
                String name = Op.name(op);
                byOp[op] = name.equals("unknown") ? unknown : counter(r, "goim_comet_ops_received", OPS_HELP, "op", name);
            }
        }

        /** Counts a packet of {@code op} received from a client (codes outside a byte are not counted). */
        public void count(int op) {
            if (op >= 0 && op < byOp.length) {
                byOp[op].increment();
            }
        }
    }

    /** Broadcasts with a speed (PacedBroadcasts). */
    public record Paced(Counter started, Counter refused, Counter finished) {
    }

    /** Push calls job repeated (RepeatedCalls). */
    public record Repeats(Counter applied, Counter overlapping) {
    }

    /** RenewOnline calls to logic (RoomOnline). */
    public record OnlineRenewals(Counter ok, Counter failed) {
    }

    /** Pushes to connections: Outboxes and its loops. */
    public record Push(Counter queued, Counter dropped, Counter packetsWritten, Counter slowConsumers, Counter refused,
            DistributionSummary merged, Timer roomPass, Timer roomWait) {
    }

    /** Disconnect calls to logic. */
    public record Disconnects(Counter reported, Counter retries, Counter lost) {
    }

    /** Room change reports to logic. */
    public record RoomReports(Counter reported, Counter failed, Counter conflicts) {
    }

    /** Renew calls to logic and what they said of the connections vouched for. */
    public record Renew(Counter ok, Counter failed, Counter refreshed, Counter relearned, Counter conflictClosed) {
    }

    /** Client messages sent to Kafka (upstream kafka mode). */
    public record Upstream(Map<UpstreamProducer.Outcome, Counter> outcomes, Timer ack) {
    }

    public CometMeters(MeterRegistry r) {
        this.registry = r;
        auth = new Auth(counter(r, "goim_comet_auth", AUTH_HELP, "result", "ok"),
                counter(r, "goim_comet_auth", AUTH_HELP, "result", "failed"),
                counter(r, "goim_comet_handshake_timeouts", "Connections closed before auth completed in time"),
                counter(r, "goim_comet_login_timeouts",
                        "Connections closed because logic did not answer their login within login-timeout"),
                counter(r, "goim_comet_login_answers_undone", "Connect answers that came after their login"
                        + " was given up (client gone, or logic-timeout passed): the session logic stored is disconnected again"));
        Map<ProtocolException.Kind, Counter> errors = new EnumMap<>(ProtocolException.Kind.class);
        for (ProtocolException.Kind kind : ProtocolException.Kind.values()) {
            errors.put(kind, counter(r, "goim_comet_protocol_errors", "Connections closed for a protocol error, by kind",
                    "kind", kind.name().toLowerCase(Locale.ROOT)));
        }
        protocolErrors = Collections.unmodifiableMap(errors);
        opsReceived = new OpsReceived(r);
        packetsWritten = counter(r, "goim_comet_packets_written", "goim packets written to connections");
        bytesWritten = counter(r, "goim_comet_bytes_written", "Bytes handed to client sockets");
        drained = counter(r, "goim_comet_drained", "Connections sent op 6 and closed by a graceful drain");
        // Tagged by op name and a fixed reason: bounded.
        sessions = new Sessions(counter(r, "goim_comet_heartbeat_timeouts", "Connections closed for a missed heartbeat"),
                counter(r, "goim_comet_subscriptions_refused", "Subscriptions (op 14) refused because"
                        + " the connection would accept more than 64 operations: answered op 15 with an empty body"));
        roomOpsRefused = new CounterFamily(r, "goim_comet_room_ops_refused", "Room operations (ops 12, 18, 20) refused:"
                + " a malformed room key, or a join past comet.max-rooms-per-connection", "op", "reason");
        push = new Push(counter(r, "goim_comet_pushes", PUSHES_HELP, "outcome", "queued"),
                counter(r, "goim_comet_pushes", PUSHES_HELP, "outcome", "dropped"),
                packetsWritten, errors.get(ProtocolException.Kind.SLOW_CONSUMER),
                counter(r, "goim_comet_push_refused", "Push calls answered RESOURCE_EXHAUSTED because"
                        + " comet.push.max-pending bytes were waiting (job retries them)"),
                DistributionSummary.builder("goim_comet_push_merged_messages")
                        .description("Messages per room or broadcast write: more than one when they piled up while the loop was busy")
                        .register(r),
                latency(r, "goim_comet_push_room_pass", "Time one event loop took for a room round (room and"
                        + " broadcast messages to every member on the loop, bucket by bucket, flushed)"),
                latency(r, "goim_comet_push_room_wait", "Time a room or broadcast message waited in an event loop's"
                        + " queue before a room round took it: the rest after the last round (comet.push.rest), or a round's"
                        + " bucket under way"));
        paced = new Paced(counter(r, "goim_comet_paced_broadcasts", PACED_HELP, "outcome", "started"),
                counter(r, "goim_comet_paced_broadcasts", PACED_HELP, "outcome", "refused"),
                counter(r, "goim_comet_paced_broadcasts", PACED_HELP, "outcome", "finished"));
        repeats = new Repeats(counter(r, "goim_comet_push_repeats", "Push calls job repeated after comet had applied them"
                        + " (a retry after a late answer): answered, not applied again"),
                counter(r, "goim_comet_push_repeats_overlapping", "Push calls repeated while an earlier attempt was still"
                        + " being applied: answered UNAVAILABLE, for job to retry"));
        onlineRenewals = new OnlineRenewals(counter(r, "goim_comet_online_renewals", ONLINE_RENEWALS_HELP, "outcome", "ok"),
                counter(r, "goim_comet_online_renewals", ONLINE_RENEWALS_HELP, "outcome", "failed"));
        disconnects = new Disconnects(counter(r, "goim_comet_disconnects", DISCONNECTS_HELP, "outcome", "reported"),
                counter(r, "goim_comet_disconnect_retries", "Disconnect calls to logic retried"),
                counter(r, "goim_comet_disconnects", DISCONNECTS_HELP, "outcome", "lost"));
        loginUndos = new Disconnects(counter(r, "goim_comet_login_undos", UNDOS_HELP, "outcome", "reported"),
                counter(r, "goim_comet_login_undo_retries", "Undo calls to logic retried"),
                counter(r, "goim_comet_login_undos", UNDOS_HELP, "outcome", "lost"));
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
        Map<PerIpLimits.Refusal, Counter> refusals = new EnumMap<>(PerIpLimits.Refusal.class);
        for (PerIpLimits.Refusal refusal : PerIpLimits.Refusal.values()) {
            refusals.put(refusal, counter(r, "goim_comet_connections_refused",
                    "Client connections closed as soon as accepted: too many open from one address"
                            + " (comet.limits.per-ip-connections) or opened too fast (per-ip-login-rate/-burst)",
                    "reason", refusal.label));
        }
        connectionsRefused = Collections.unmodifiableMap(refusals);
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

    /** A latency histogram from 100 µs to 10 s, so that its quantiles can be read from {@code /metrics}. */
    private static Timer latency(MeterRegistry r, String name, String help) {
        return Timer.builder(name).description(help).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(10)).register(r);
    }

    /** Where the meters are registered: what {@code /metrics} shows. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The gauges, read from the parts that hold the values when {@code /metrics} is scraped. */
    void gauges(ConnectionRegistry buckets, LoginWindow logins, Outboxes outboxes, PerIpGate perIp, PacedBroadcasts paced) {
        gauge("goim_comet_connections", "Authenticated connections", buckets, ConnectionRegistry::online);
        gauge("goim_comet_rooms", "(bucket, room) pairs with someone online", buckets, ConnectionRegistry::rooms);
        gauge("goim_comet_logins_waiting", "Logins waiting for room in the login window"
                + " (Connect calls to logic in flight at most login-window)", logins, LoginWindow::waiting);
        gauge("goim_comet_push_pending_bytes", "Bytes of pushes waiting for the event loops to write them",
                outboxes, Outboxes::pending);
        gauge("goim_comet_client_addresses", "Client addresses (IPv6: /64s) the per-address limits remember",
                perIp, PerIpGate::addresses);
        gauge("goim_comet_client_addresses_open",
                "Client addresses (IPv6: /64s) with at least one connection open (goim v2's ip_count)",
                perIp, PerIpGate::addressesOpen);
        gauge("goim_comet_paced_broadcasts_running",
                "Broadcasts with a speed being paced now (at most comet.push.max-paced-broadcasts)",
                paced, PacedBroadcasts::running);
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
    private static final String UNDOS_HELP = "Logins whose Connect got no answer within its deadline, undone by"
            + " their login id (Logic.Undo): acknowledged by logic (reported) or not (lost)";
    private static final String DISCONNECTS_HELP = "Disconnects sent to logic: acknowledged, or lost after retries";
    private static final String RENEW_CALLS_HELP =
            "Renew calls to logic (periodic rounds and epoch renews after a router or Redis restart), by outcome";
    private static final String RENEWED_HELP = "Connections vouched for in Renew calls: known to the session store"
            + " (refreshed), forgotten and learned again (relearned), or closed because their key is held on another comet";
    private static final String PINGS_HELP = "WebSocket pings: answered with a pong, or left unanswered because the"
            + " connection was not writable and a later ping was answered instead (or it closed first)";
    private static final String PACED_HELP = "Broadcasts with a speed (goim v2's speed): started, refused because"
            + " comet.push.max-paced-broadcasts ran (job retries them), finished";
    private static final String ONLINE_RENEWALS_HELP = "RenewOnline calls to logic (the rooms' cluster-wide counts for"
            + " goim v2 heartbeat replies), by outcome";
    private static final String ANNOUNCEMENTS_HELP = "Announcements to logic (comet discovery), by outcome";
}
