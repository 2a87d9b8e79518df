package io.goim.router;

import io.goim.libs.admin.AdminServer;
import io.goim.router.discovery.CometRegistry;
import io.goim.router.session.SessionStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Every meter the router keeps, named and described here and created once, when the router
 * is built; each component is handed the counters it counts with and counts where the event
 * happens, so {@code /metrics} shows the counts themselves. The two gauges read the size of
 * what the session store and the comet registry hold (a current value, not a count).
 * docs/operations.md says what each means and when to alert (its list is checked against a
 * scrape).
 *
 * <p>Thread-safe.
 */
final class RouterMeters {
    /** What the gRPC service counts: refusals, abandoned puts, refused comet announcements. */
    record Calls(Counter invalidArguments, Counter putsAbandoned, Counter announcementsRefused) {
    }

    final Calls calls;
    /** Connections forgotten by expiry, counted by the {@link io.goim.router.session.Cleaner}. */
    final Counter sessionsExpired;
    private final MeterRegistry registry;

    RouterMeters(MeterRegistry r) {
        this.registry = r;
        calls = new Calls(counter("goim_router_invalid_arguments", "Calls refused with INVALID_ARGUMENT"),
                counter("goim_router_puts_abandoned",
                        "Puts not applied, or undone, because their caller's deadline had passed"),
                counter("goim_router_comet_announcements_refused",
                        "Comet announcements refused because the router held its bound of comets"));
        sessionsExpired = counter("goim_router_sessions_expired",
                "Connections forgotten because no comet Put or Touched them within session-expire");
    }

    /** A registry with the JVM metrics; the router's meters are added by {@link #RouterMeters}. */
    static PrometheusMeterRegistry registry() {
        return AdminServer.newRegistry("router");
    }

    /** The gauges, read from the parts that hold the values. */
    void gauges(SessionStore store, CometRegistry comets) {
        Gauge.builder("goim_router_sessions", store, SessionStore::count)
                .description("Connections the router knows of")
                .register(registry);
        Gauge.builder("goim_router_comets", comets, CometRegistry::size)
                .description("Comet announcements held (comet discovery)")
                .register(registry);
    }

    private Counter counter(String name, String help) {
        return Counter.builder(name).description(help).register(registry);
    }
}
