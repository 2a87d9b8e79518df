package io.goim.logic.discovery;

import io.goim.logic.session.CometDirectory;
import io.goim.libs.log.RateLimitedLog;
import io.goim.logic.LogicMeters;
import io.goim.logic.http.NodesEndpoint;
import io.goim.proto.CometInstance;
import io.micrometer.core.instrument.Counter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logic's cached view of the comets announced ({@link CometDirectory}), re-read every
 * {@code logic.nodes.refresh}, for the nodes API: a client asking where to connect never
 * costs a store call. A failed refresh keeps the last view (counted in
 * {@code goim_logic_nodes_refresh_failures_total}).
 *
 * <p>Weighting (goim v2's idea, simpler): a comet's load is its connections per unit of
 * effective weight; an answer lists the comets taking new clients (not draining,
 * weight &gt; 0, with an address), least loaded first (equal loads: lower CPU first, then
 * lower server id), and counts one client more on the first, so the answers between two
 * announcements spread over the comets instead of all naming the one that was least
 * loaded at the last announcement. Those local counts start again from each comet's next
 * announcement, which carries its real connection count.
 *
 * <p>The effective weight is the announced weight times the comet's CPU headroom,
 * {@code 1 - cpuWeight × cpu} (at least {@link #MIN_HEADROOM}), {@code cpu} being the
 * comet's smoothed process CPU load, 0..1. goim v2 weights by the configured weight and
 * the connection count alone (its balancer's "gain" scales a node's weight, by region);
 * CPU is a second gain of the same kind: connections are not equally costly (a comet
 * whose clients sit in busy rooms works harder per connection), and a comet may share
 * its machine. So between two comets of equal weight and connections, the one at 20 %
 * CPU takes 0.8 / 0.4 = twice the new clients of one at 60 %. A comet that announces no
 * CPU (-1: the JVM cannot tell, or 0 from a comet of an earlier release) counts as idle:
 * connections and weight alone, as before. {@code cpuWeight} 0 turns CPU off.
 *
 * <p>Thread-safe: the view is replaced whole; the local counts are guarded by this.
 */
public final class CometView implements NodesEndpoint.Source {
    private static final Logger log = LoggerFactory.getLogger(CometView.class);

    /** The least share of its weight a comet keeps however busy its CPU: it still takes some clients. */
    static final double MIN_HEADROOM = 0.05;

    /** A comet as last read, its effective weight, and the clients sent to it since its announcement. */
    private static final class Node {
        final CometInstance comet;
        final double cpu;
        final double weight;
        long sent;

        Node(CometInstance comet, double cpuWeight) {
            this.comet = comet;
            this.cpu = cpu(comet);
            this.weight = comet.getWeight() * Math.max(MIN_HEADROOM, 1 - cpuWeight * cpu);
        }

        double load() {
            return (comet.getConnections() + sent) / weight;
        }
    }

    /** The announced CPU load, 0..1; unknown (negative, not a number) counts as 0. */
    static double cpu(CometInstance c) {
        double cpu = c.getCpu();
        return cpu > 0 ? Math.min(1, cpu) : 0;
    }

    private final CometDirectory directory;
    private final Counter failures;
    private final double cpuWeight;
    private final RateLimitedLog failureLog = new RateLimitedLog(log, 30, TimeUnit.SECONDS);
    private volatile List<CometInstance> comets = List.of();
    private Map<Integer, Node> nodes = new HashMap<>(); // guarded by this

    /**
     * {@code failures}: counts the refreshes that failed ({@link LogicMeters#nodesRefreshFailures});
     * {@code cpuWeight}: how much CPU load lowers a comet's weight, 0..1 ({@code logic.nodes.cpu-weight}).
     */
    public CometView(CometDirectory directory, Counter failures, double cpuWeight) {
        this.directory = directory;
        this.failures = failures;
        this.cpuWeight = cpuWeight;
    }

    /** With CPU weighted fully (the default). */
    CometView(CometDirectory directory, Counter failures) {
        this(directory, failures, 1.0);
    }

    /** Comets in the last view read (the {@code goim_logic_nodes_comets} gauge). */
    public int cometCount() {
        return comets.size();
    }

    /** Refreshes now and every {@code intervalMillis} on {@code timer}. */
    public void start(ScheduledExecutorService timer, long intervalMillis) {
        timer.scheduleWithFixedDelay(this::refresh, 0, intervalMillis, TimeUnit.MILLISECONDS);
    }

    void refresh() {
        directory.comets().whenComplete((list, e) -> {
            if (e != null) {
                failures.increment();
                failureLog.warn("re-reading the comets for the nodes API failed, keeping the last {}: {}",
                        comets.size(), e.toString());
            } else {
                update(list);
            }
        });
    }

    /** Takes a new view; package-private for tests. */
    synchronized void update(List<CometInstance> list) {
        Map<Integer, Node> next = new HashMap<>();
        for (CometInstance c : list) {
            Node old = nodes.get(c.getServer());
            Node n = new Node(c, cpuWeight);
            // The same announcement read again (its age grew): keep the clients sent since.
            if (old != null && old.comet.getIncarnation() == c.getIncarnation()
                    && old.comet.getAgeMs() <= c.getAgeMs() && old.comet.getConnections() == c.getConnections()) {
                n.sent = old.sent;
            }
            next.put(c.getServer(), n);
        }
        nodes = next;
        List<CometInstance> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparingInt(CometInstance::getServer));
        comets = List.copyOf(sorted);
    }

    @Override
    public synchronized List<CometInstance> weighted(int max) {
        List<Node> open = new ArrayList<>();
        for (Node n : nodes.values()) {
            CometInstance c = n.comet;
            if (!c.getDraining() && c.getWeight() > 0 && (c.getTcpCount() > 0 || c.getWebsocketCount() > 0)) {
                open.add(n);
            }
        }
        open.sort(Comparator.comparingDouble(Node::load).thenComparingDouble(n -> n.cpu)
                .thenComparingInt(n -> n.comet.getServer()));
        List<CometInstance> out = new ArrayList<>(Math.min(max, open.size()));
        for (int i = 0; i < open.size() && i < max; i++) {
            out.add(open.get(i).comet);
        }
        if (!open.isEmpty()) {
            open.get(0).sent++;
        }
        return out;
    }

    @Override
    public List<CometInstance> instances() {
        return comets;
    }
}
