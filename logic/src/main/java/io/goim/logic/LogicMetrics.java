package io.goim.logic;

import io.goim.libs.admin.AdminServer;
import io.goim.logic.http.ApiCounters;
import io.goim.logic.http.Ret;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * Logic's metrics read from the counters it keeps anyway; Kafka send timing
 * ({@link PushProducer}) and router RPCs ({@link Routers}) register their own meters in
 * the same registry. docs/operations.md says what each means and when to alert.
 */
final class LogicMetrics {
    private LogicMetrics() {
    }

    /** A registry with the JVM metrics and the HTTP API's counters. */
    static PrometheusMeterRegistry registry(ApiCounters http) {
        PrometheusMeterRegistry r = AdminServer.newRegistry("logic");
        FunctionCounter.builder("goim_logic_http_requests", http, ApiCounters::accepted)
                .description("HTTP API requests by ret code (1: accepted and acknowledged by Kafka)")
                .tag("ret", Integer.toString(Ret.OK.code()))
                .register(r);
        for (int ret : new int[] {Ret.REQUEST_ERR.code(), Ret.METHOD_NOT_ALLOWED.code(), Ret.TOO_LARGE.code(),
                Ret.NOT_FOUND.code(), Ret.UNAVAILABLE.code(), Ret.INTERNAL_ERR.code(), Ret.UNAUTHORIZED.code(),
                Ret.COMET_ALIVE.code()}) {
            FunctionCounter.builder("goim_logic_http_requests", http, c -> c.refused(ret))
                    .description("HTTP API requests by ret code (1: accepted and acknowledged by Kafka)")
                    .tag("ret", Integer.toString(ret))
                    .register(r);
        }
        FunctionCounter.builder("goim_logic_http_connection_errors", http, ApiCounters::connectionErrors)
                .description("HTTP connections closed on an I/O or pipeline error")
                .register(r);
        return r;
    }
}
