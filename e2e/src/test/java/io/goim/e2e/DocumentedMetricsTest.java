package io.goim.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.goim.libs.testing.AdminScrape;
import io.goim.libs.testing.Await;
import io.goim.libs.testing.TcpTestClient;
import io.goim.protocol.Op;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every metric docs/operations.md names exists: the doc is parsed (so a doc change is
 * checked too), a whole cluster is started, and each service's {@code /metrics} is scraped
 * for the names the doc gives it. A {@code goim_<service>_...} name belongs to that service
 * wherever the doc mentions it; a {@code grpc_...} name to the service whose table in "What
 * to watch" lists it. A name passes when a sample of that name exists, or one of its
 * timer or summary samples ({@code _count}, {@code _sum}, {@code _max}, {@code _bucket}).
 * A line starting {@code **Removed**} names a metric that is gone and is not checked.
 */
@ClusterTest
class DocumentedMetricsTest {
    private static final Path DOC = Path.of("../docs/operations.md");
    private static final Pattern SERVICE_NAME = Pattern.compile("`(goim_(comet|logic|job|router)_[a-z0-9_]+)");
    private static final Pattern TABLE = Pattern.compile("^\\*\\*(comet|logic|job|router)\\*\\*$");
    private static final Pattern GRPC_NAME = Pattern.compile("^\\| `(grpc_[a-z0-9_]+)");
    /**
     * Metrics that exist only in a setup this cluster does not run, with the reason; every
     * other name the doc gives must be on the scrape.
     */
    private static final Map<String, String> ELSEWHERE = Map.of(
            "goim_logic_redis_errors_total", "only with logic.session.store = redis (the Redis session store's)",
            "goim_logic_auth_refused_total", "a series per reason the configured authenticator gives, made at its first refusal");

    /** service → metric names the doc gives it. */
    static Map<String, Set<String>> documented() throws Exception {
        Map<String, Set<String>> names = new TreeMap<>();
        String table = null;
        for (String line : Files.readAllLines(DOC)) {
            Matcher t = TABLE.matcher(line.trim());
            if (t.matches()) {
                table = t.group(1);
            } else if (line.startsWith("#")) {
                table = null;
            } else if (line.startsWith("**Removed**")) {
                continue; // names a metric that no longer exists
            }
            Matcher m = SERVICE_NAME.matcher(line);
            while (m.find()) {
                names.computeIfAbsent(m.group(2), s -> new TreeSet<>()).add(m.group(1));
            }
            Matcher g = GRPC_NAME.matcher(line);
            if (table != null && g.find()) {
                names.computeIfAbsent(table, s -> new TreeSet<>()).add(g.group(1));
            }
        }
        return names;
    }

    @Test
    void theDocumentListsEveryServicesMetrics() throws Exception {
        Map<String, Set<String>> doc = documented();
        assertEquals(Set.of("comet", "logic", "job", "router"), doc.keySet());
        // The parse finds what the tables hold, not just a few names.
        assertTrue(doc.get("comet").contains("goim_comet_drained_total"), doc.toString());
        assertTrue(doc.get("comet").contains("grpc_server_processing_duration_seconds"), doc.toString());
        assertTrue(doc.get("job").contains("goim_job_consumer_lag"), doc.toString());
        assertTrue(doc.values().stream().mapToInt(Set::size).sum() > 70, doc.toString());
        assertTrue(doc.get("job").stream().noneMatch(n -> n.equals("goim_job_comet_calls_total")), "removed");
    }

    @Test
    void everyDocumentedMetricIsOnItsServicesScrape(LocalCluster c) throws Exception {
        Map<String, Set<String>> doc = documented();
        for (int port : new int[] {c.router.adminPort(), c.logic.adminPort(), c.comet.adminPort(),
                c.job.adminPort()}) {
            Await.until("ready on admin port " + port, Duration.ofSeconds(60),
                    () -> status(port) == 200);
        }
        // A login and a push, so the meters made by a first call (logic's discovery and
        // RPC timings, job's per-comet and comet's gRPC server ones) exist.
        // On the shared cluster: a user of its own, pushed to by user id only.
        long uid = c.newId();
        try (TcpTestClient client = new TcpTestClient("127.0.0.1", c.comet.tcpPort())) {
            client.send(Op.AUTH, 1, Long.toString(uid));
            assertEquals(Op.AUTH_REPLY, client.receive().op());
            assertEquals("{\"ret\":1}", c.post("/1/push?uid=" + uid, "hello").body());
            assertEquals("hello", client.receive().bodyText());
        }
        Map<String, Integer> ports = Map.of("comet", c.comet.adminPort(), "logic", c.logic.adminPort(),
                "job", c.job.adminPort(), "router", c.router.adminPort());
        List<String> missing = new ArrayList<>();
        try {
            Await.until("every documented metric scraped", Duration.ofSeconds(30), () -> {
                missing.clear();
                for (Map.Entry<String, Set<String>> e : doc.entrySet()) {
                    AdminScrape.Metrics m = scrape(ports.get(e.getKey()));
                    for (String name : e.getValue()) {
                        if (!ELSEWHERE.containsKey(name) && !exists(m, name)) {
                            missing.add(e.getKey() + ": " + name);
                        }
                    }
                }
                return missing.isEmpty();
            });
        } catch (AssertionError | RuntimeException e) {
            assertEquals(List.of(), missing, "documented in docs/operations.md, not on the scrape");
            throw e;
        }
    }

    private static int status(int port) {
        try {
            return AdminScrape.status(port, "/ready");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static AdminScrape.Metrics scrape(int port) {
        try {
            return AdminScrape.metrics(port);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean exists(AdminScrape.Metrics m, String name) {
        return m.samples().stream().anyMatch(s -> s.name().equals(name)
                || s.name().equals(name + "_count") || s.name().equals(name + "_sum")
                || s.name().equals(name + "_max") || s.name().equals(name + "_bucket"));
    }
}
