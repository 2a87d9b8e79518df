package io.goim.logic;

import io.goim.libs.admin.AdminServer;
import io.goim.libs.admin.CounterFamily;
import io.goim.libs.admin.RpcMetrics;
import io.goim.logic.discovery.CometView;
import io.goim.logic.http.ApiCounters;
import io.goim.logic.http.Ret;
import io.goim.logic.session.LoginUndos;
import io.grpc.ClientInterceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.HashMap;
import java.util.Map;

/**
 * Every meter logic keeps, named and described here and created when logic is built (a
 * series tagged by a value first met at run time, such as a router shard or a refusal's
 * reason, when it is first counted); each component is handed the few it counts with and
 * counts where the event happens, so {@code /metrics} shows the counts themselves.
 * docs/operations.md says what each means and when to alert (its list is checked against
 * a scrape). The HTTP listener's connection meters ({@code goim_logic_http_connections},
 * {@code _connections_refused_total}, {@code _timeouts_total}) are the shared
 * {@link io.goim.libs.http.HttpConnectionGuard}'s, the gRPC server's and client's the
 * shared interceptors'.
 *
 * <p>Thread-safe.
 */
public final class LogicMeters {
    /** What logins count: tokens refused by reason, the per-user cap, connects the comet gave up on. */
    record Logins(CounterFamily authRefused, Counter sessionCapRefused, Counter connectsAbandoned) {
    }

    /** One session-store shard's merged lookups, and the push requests they served. */
    public record Lookups(Counter lookups, Counter requests) {
    }

    /** Kafka sends, timed from send to acknowledgement ({@code ok}) or failure ({@code error}). */
    public record KafkaSend(Timer ok, Timer error) {
    }

    /** The HTTP API's answers by {@code ret}, and connections closed on an error. */
    public final ApiCounters http;
    final Logins logins;
    /** Undos of logins retried, and given up ({@link LoginUndos}). */
    final LoginUndos.Meters undos;
    /** Corrections of a comet's counts in the Redis session store, from its own counts (RenewOnline). */
    final Counter countsCorrected;
    /** Comet discovery calls (announce, withdraw, comets), by call and outcome. */
    public final CounterFamily discoveryCalls;
    final KafkaSend kafkaSend;
    /** Redis session store calls that failed, by call (only with the Redis store). */
    public final CounterFamily redisErrors;
    /** Routers seen with a new incarnation. */
    public final Counter routerRestarts;
    /** Failed re-reads of the comet directory for the nodes API. */
    public final Counter nodesRefreshFailures;
    private final CounterFamily lookups;
    private final CounterFamily lookupRequests;
    private final MeterRegistry registry;

    public LogicMeters(MeterRegistry r) {
        this.registry = r;
        http = http(r);
        logins = new Logins(
                new CounterFamily(r, "goim_logic_auth_refused", "Client tokens refused by the authenticator, by reason",
                        "reason"),
                counter("goim_logic_session_cap_refused",
                        "Logins refused because the user already held logic.auth.max-sessions-per-user connections"),
                counter("goim_logic_connects_abandoned", "Connect calls the comet gave up on before logic answered:"
                        + " no session stored, or the one stored deleted again"));
        undos = new LoginUndos.Meters(
                counter("goim_logic_undo_retries", "Undos of a login (its comet gave up, or the store's put failed)"
                        + " retried after the session store failed them"),
                counter("goim_logic_undos_given_up", "Undos of a login given up: every retry failed, the store refused"
                        + " it, or logic.undo-retry.max-pending undos waited already (the session, if stored, stays"
                        + " until the store expires it)"));
        countsCorrected = counter("goim_logic_counts_corrected", "Online counts (a comet's total or one of its rooms)"
                + " the Redis session store corrected from the comet's own counts, after the same difference in two"
                + " reports in a row (a count update lost to a timeout)");
        discoveryCalls = new CounterFamily(r, "goim_logic_discovery_calls",
                "Comet discovery calls (announce, withdraw, comets) by outcome", "call", "outcome");
        kafkaSend = new KafkaSend(kafkaTimer("ok"), kafkaTimer("error"));
        redisErrors = new CounterFamily(r, "goim_logic_redis_errors",
                "Redis session store calls that failed (unreachable, too slow, or an error reply), by call", "call");
        routerRestarts = counter("goim_logic_router_restarts", "Routers seen with a new incarnation (restarted, so empty)");
        nodesRefreshFailures = counter("goim_logic_nodes_refresh_failures",
                "Re-reads of the comet directory for the nodes API that failed (the last view is kept)");
        lookups = new CounterFamily(r, "goim_logic_lookups", "User lookups sent to the session store", "shard");
        lookupRequests = new CounterFamily(r, "goim_logic_lookup_requests",
                "Push requests those lookups served (divided by goim_logic_lookups_total: requests per lookup)", "shard");
    }

    /** A registry with the JVM metrics; logic's meters are added by {@link #LogicMeters}. */
    static PrometheusMeterRegistry registry() {
        return AdminServer.newRegistry("logic");
    }

    /** Shard {@code shard}'s lookup counters, made when it is first met and kept. */
    public Lookups lookups(String shard) {
        return new Lookups(lookups.of(shard), lookupRequests.of(shard));
    }

    /** Times and counts the calls to router {@code id}, tagged {@code peer=router-<id>} (see {@link RpcMetrics}). */
    ClientInterceptor routerCalls(int id) {
        return RpcMetrics.interceptor(registry, "router-" + id);
    }

    /** The gauges, read from the parts that hold the values. */
    public void gauges(CometView nodes) {
        Gauge.builder("goim_logic_nodes_comets", nodes, CometView::cometCount)
                .description("Comets announced, as logic's nodes API last read them").register(registry);
    }

    /** The undos waiting for a retry, read from {@code undos}. */
    void gauges(LoginUndos undos) {
        Gauge.builder("goim_logic_undos_pending", undos, LoginUndos::pending)
                .description("Undos of a login waiting for a retry (at most logic.undo-retry.max-pending)")
                .strongReference(true)
                .register(registry);
    }

    private static final String HTTP_HELP = "HTTP API requests by ret code (1: accepted and acknowledged by Kafka)";

    private static ApiCounters http(MeterRegistry r) {
        Map<Integer, Counter> byRet = new HashMap<>();
        // One counter per ret code: two answers that share a code (goim's RequestErr, InternalErr) share it.
        for (Ret ret : Ret.values()) {
            byRet.computeIfAbsent(ret.code(), code -> Counter.builder("goim_logic_http_requests").description(HTTP_HELP)
                    .tag("ret", Integer.toString(code)).register(r));
        }
        return new ApiCounters(byRet, Counter.builder("goim_logic_http_connection_errors")
                .description("HTTP connections closed on an I/O or pipeline error").register(r));
    }

    private Timer kafkaTimer(String outcome) {
        return Timer.builder("goim_logic_kafka_send")
                .description("Time from send to Kafka's acknowledgement (ok) or failure (error)")
                .tag("outcome", outcome)
                .register(registry);
    }

    private Counter counter(String name, String help) {
        return Counter.builder(name).description(help).register(registry);
    }
}
