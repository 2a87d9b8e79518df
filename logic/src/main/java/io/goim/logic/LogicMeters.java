package io.goim.logic;

import io.goim.libs.admin.AdminServer;
import io.goim.logic.http.ApiCounters;
import io.goim.logic.http.Ret;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.HashMap;
import java.util.Map;

/**
 * Logic's registry and the HTTP API's meters, named and described here and created once
 * when logic is built; {@link ApiCounters} counts on them. Kafka send timing
 * ({@link PushProducer}), router RPCs ({@link Routers}), discovery, lookups, logins and the
 * session store register their own meters in the same registry when they are built.
 * docs/operations.md says what each means and when to alert (its list is checked against
 * a scrape).
 */
public final class LogicMeters {
    private LogicMeters() {
    }

    private static final String HTTP_HELP = "HTTP API requests by ret code (1: accepted and acknowledged by Kafka)";

    /** A registry with the JVM metrics; logic's meters are added as its parts are built. */
    static PrometheusMeterRegistry registry() {
        return AdminServer.newRegistry("logic");
    }

    /** The HTTP API's counters: answers by {@code ret}, connections closed on an error. */
    public static ApiCounters http(MeterRegistry r) {
        Map<Integer, Counter> byRet = new HashMap<>();
        // One counter per ret code: two answers that share a code (goim's RequestErr, InternalErr) share it.
        for (Ret ret : Ret.values()) {
            byRet.computeIfAbsent(ret.code(), code -> Counter.builder("goim_logic_http_requests").description(HTTP_HELP)
                    .tag("ret", Integer.toString(code)).register(r));
        }
        return new ApiCounters(byRet, Counter.builder("goim_logic_http_connection_errors")
                .description("HTTP connections closed on an I/O or pipeline error").register(r));
    }
}
