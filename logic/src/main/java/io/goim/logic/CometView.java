package io.goim.logic;

import io.goim.libs.log.RateLimitedLog;
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
 * weight; an answer lists the comets taking new clients (not draining, weight &gt; 0, with
 * an address), least loaded first, and counts one client more on the first, so the
 * answers between two announcements spread over the comets instead of all naming the one
 * that was least loaded at the last announcement. Those local counts start again from each
 * comet's next announcement, which carries its real connection count.
 *
 * <p>Thread-safe: the view is replaced whole; the local counts are guarded by this.
 */
final class CometView implements NodesEndpoint.Source {
    private static final Logger log = LoggerFactory.getLogger(CometView.class);

    /** A comet as last read, and the clients sent to it since its announcement. */
    private static final class Node {
        final CometInstance comet;
        long sent;

        Node(CometInstance comet) {
            this.comet = comet;
        }

        double load() {
            return (comet.getConnections() + sent) / (double) comet.getWeight();
        }
    }

    private final CometDirectory directory;
    private final Counter failures;
    private final RateLimitedLog failureLog = new RateLimitedLog(log, 30, TimeUnit.SECONDS);
    private volatile List<CometInstance> comets = List.of();
    private Map<Integer, Node> nodes = new HashMap<>(); // guarded by this

    /** {@code failures}: counts the refreshes that failed ({@link LogicMeters#nodesRefreshFailures}). */
    CometView(CometDirectory directory, Counter failures) {
        this.directory = directory;
        this.failures = failures;
    }

    /** Comets in the last view read (the {@code goim_logic_nodes_comets} gauge). */
    int cometCount() {
        return comets.size();
    }

    /** Refreshes now and every {@code intervalMillis} on {@code timer}. */
    void start(ScheduledExecutorService timer, long intervalMillis) {
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
            Node n = new Node(c);
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
        open.sort(Comparator.comparingDouble(Node::load).thenComparingInt(n -> n.comet.getServer()));
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
