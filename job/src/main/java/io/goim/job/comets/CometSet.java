package io.goim.job.comets;

import io.goim.job.JobMeters;
import io.goim.libs.config.HostPort;
import io.goim.libs.log.RateLimitedLog;
import java.util.function.IntFunction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
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
 * set at each record, so a comet added is used from the next record on.
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
        members.put(id, new Member(client, new UserPushBatcher(client, UserPushBatcher.MAX_BYTES, meters.apply(id)),
                List.copyOf(addresses), configured));
    }

    /** Comet {@code id}, or null when job does not know it. */
    public Member get(int id) {
        return members.get(id);
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
        for (Member m : members.values()) {
            m.client().close();
        }
    }
}
