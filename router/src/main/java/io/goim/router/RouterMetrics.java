package io.goim.router;

import io.goim.libs.admin.AdminServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The router's metrics, read from the counters it already keeps when {@code /metrics} is
 * scraped (nothing is added to the request path). docs/operations.md says what each
 * means and when to alert.
 */
final class RouterMetrics {
    private RouterMetrics() {
    }

    /** A registry with the JVM metrics and the router's own. */
    static PrometheusMeterRegistry registry(SessionStore store, RouterService service) {
        PrometheusMeterRegistry r = AdminServer.newRegistry("router");
        Gauge.builder("goim_router_sessions", store, SessionStore::count)
                .description("Connections the router knows of")
                .register(r);
        FunctionCounter.builder("goim_router_sessions_expired", store, SessionStore::expiredTotal)
                .description("Connections forgotten because no comet Put or Touched them within session-expire")
                .register(r);
        FunctionCounter.builder("goim_router_invalid_arguments", service, RouterService::invalidArguments)
                .description("Calls refused with INVALID_ARGUMENT")
                .register(r);
        FunctionCounter.builder("goim_router_puts_abandoned", service, RouterService::putsAbandoned)
                .description("Puts not applied, or undone, because their caller's deadline had passed")
                .register(r);
        Gauge.builder("goim_router_comets", service, RouterService::cometsHeld)
                .description("Comet announcements held (comet discovery)")
                .register(r);
        FunctionCounter.builder("goim_router_comet_announcements_refused", service, RouterService::announcementsRefused)
                .description("Comet announcements refused because the router held its bound of comets")
                .register(r);
        return r;
    }
}
