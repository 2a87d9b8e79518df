package io.goim.job.comets;

import io.goim.job.JobMeters;
import io.goim.libs.config.HostPort;
import io.goim.libs.log.RateLimitedLog;
import java.util.function.IntFunction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The comets job pushes to, by server id: those configured in {@code job.comets}, fixed for
 * the life of the process, and those discovered ({@link io.goim.job.discovery.CometWatcher}), which
 * {@link #follow} adds, moves (a comet back at a new address gets a new channel) and
 * removes (its client is closed: calls still queued or retrying for it are given up and
 * counted with reason {@code gone}: the process they were for is gone, and its clients
 * with it). Until then a comet's calls are retried, never dropped ({@link CometClient}).
 * A configured id keeps its configured addresses whatever is announced for it.
 *
 * <p>Each comet has its client (lanes, channel) and its user-push batcher; dispatch reads the
 * set at each record, so a comet added is used from the next record on. A user push for a
 * comet not known yet can wait for it ({@link #whenKnown}): a comet that just started may
 * log users in before discovery has found it.
 *
 * <p>Thread-safe: reads are lock-free; {@link #follow} and {@link #close} are serialised.
 */
public final class CometSet implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CometSet.class);

    /** One comet: its client, its user-push batcher, where it is, and whether job.comets lists it. */
    public record Member(CometClient client, UserPushBatcher users, List<HostPort> addresses, boolean configured) {
    }

    private final Map<Integer, Member> members = new ConcurrentHashMap<>();
    private final BiFunction<Integer, List<HostPort>, CometClient> clients;
    private final IntFunction<JobMeters.PerComet> meters;
    private final RateLimitedLog closeLog = new RateLimitedLog(log, 10, TimeUnit.SECONDS);
    /** Who waits for an id not known yet, in the order they asked; guarded by this. */
    private final Map<Integer, List<CompletableFuture<Member>>> awaited = new HashMap<>();
    private volatile boolean closed;

    /** {@code clients} makes the client of comet id at its addresses. */
    public CometSet(Map<Integer, List<HostPort>> configured, BiFunction<Integer, List<HostPort>, CometClient> clients,
            IntFunction<JobMeters.PerComet> meters) {
        this.clients = clients;
        this.meters = meters;
        configured.forEach((id, addresses) -> add(id, addresses, true));
    }

    /** A set with no comet that never adds one (for tests of dispatch alone). */
    public static CometSet empty() {
        return new CometSet(Map.of(), (id, addresses) -> {
            throw new IllegalStateException("no comet expected");
        }, id -> {
            throw new IllegalStateException("no comet expected");
        });
    }

    private void add(int id, List<HostPort> addresses, boolean configured) {
        CometClient client = clients.apply(id, addresses);
        Member m = new Member(client, new UserPushBatcher(client, UserPushBatcher.MAX_BYTES, meters.apply(id)),
                List.copyOf(addresses), configured);
        // Those who waited for it first, then everyone: their pushes reach its batcher in the order they came.
        List<CompletableFuture<Member>> waiting = awaited.remove(id);
        if (waiting != null) {
            waiting.forEach(w -> w.complete(m));
        }
        members.put(id, m);
    }

    /** Comet {@code id}, or null when job does not know it. */
    public Member get(int id) {
        return members.get(id);
    }

    /**
     * Comet {@code id} as soon as job knows it: at once if it does, else when {@link #follow}
     * adds it. The caller bounds the wait by completing the future with null itself; a set
     * that closes completes every waiter with null.
     */
    public CompletableFuture<Member> whenKnown(int id) {
        Member m = members.get(id);
        if (m != null) {
            return CompletableFuture.completedFuture(m);
        }
        synchronized (this) {
            m = members.get(id);
            if (m != null || closed) {
                return CompletableFuture.completedFuture(m);
            }
            CompletableFuture<Member> waiter = new CompletableFuture<>();
            awaited.computeIfAbsent(id, k -> new ArrayList<>()).add(waiter);
            return waiter;
        }
    }

    /** Every comet's client, as the set is now. */
    public Collection<CometClient> clients() {
        List<CometClient> out = new ArrayList<>(members.size());
        for (Member m : members.values()) {
            out.add(m.client());
        }
        return out;
    }

    /** The ids known now. */
    public Collection<Integer> ids() {
        return List.copyOf(members.keySet());
    }

    /** Whether {@code id} was discovered (not configured). */
    boolean discovered(int id) {
        Member m = members.get(id);
        return m != null && !m.configured();
    }

    /**
     * Makes the discovered comets exactly {@code discovered} (id → push gRPC address):
     * new ids are added, an id whose address changed gets a new client, discovered ids
     * absent from it are removed. Configured ids are left as they are.
     */
    public synchronized void follow(Map<Integer, HostPort> discovered) {
        if (closed) {
            return;
        }
        List<CometClient> retired = new ArrayList<>();
        for (Map.Entry<Integer, HostPort> e : discovered.entrySet()) {
            Member m = members.get(e.getKey());
            if (m != null && (m.configured() || m.addresses().equals(List.of(e.getValue())))) {
                continue;
            }
            if (m != null) {
                retired.add(m.client());
                log.info("comet {} moved from {} to {}: following it", e.getKey(), m.addresses(), e.getValue());
            } else {
                log.info("comet {} discovered at {}", e.getKey(), e.getValue());
            }
            add(e.getKey(), List.of(e.getValue()), false);
        }
        for (Member m : members.values()) {
            int id = m.client().id();
            if (!m.configured() && !discovered.containsKey(id) && members.remove(id, m)) {
                log.info("comet {} at {} is gone (withdrawn or expired): no more pushes to it", id, m.addresses());
                retired.add(m.client());
            }
        }
        for (CometClient c : retired) {
            closeClient(c);
        }
        // Waiters whose callers stopped waiting (completed with null) are forgotten.
        awaited.values().forEach(l -> l.removeIf(CompletableFuture::isDone));
        awaited.values().removeIf(List::isEmpty);
    }

    private void closeClient(CometClient c) {
        try {
            c.close(CometClient.GiveUp.GONE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            closeLog.warn("closing the client of comet {} failed: {}", c.id(), e.toString());
        }
    }

    @Override
    public synchronized void close() throws InterruptedException {
        closed = true;
        awaited.values().forEach(l -> l.forEach(w -> w.complete(null)));
        awaited.clear();
        for (Member m : members.values()) {
            m.client().close();
        }
    }
}
