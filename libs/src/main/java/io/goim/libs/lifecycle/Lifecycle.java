package io.goim.libs.lifecycle;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's one lifecycle: each resource registers its close step the moment it exists,
 * in the {@link Phase} it belongs to, and {@link #close} runs the phases in order and, within
 * a phase, the steps last registered first. The same path closes a running service and a
 * half-started one: {@link #start} closes whatever was registered when a start-up step
 * throws, so a failed start leaks no thread, port, channel or client.
 *
 * <p>Every step runs once, even when an earlier one failed; the first failure is rethrown
 * with later ones attached as suppressed. Thread-safe; closing twice is a no-op.
 */
public final class Lifecycle implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

    /** When a step runs on close: phases in this order, each one's steps last registered first. */
    public enum Phase {
        /** Stop taking new work: listeners, announcements, health NOT_SERVING, the Kafka consumer. */
        STOP_ACCEPTING,
        /** Let the work in hand finish: background renewals stop, clients are drained. */
        DRAIN,
        /** RPC and HTTP servers: calls in flight finish within the shutdown grace. */
        SERVERS,
        /** Netty event loops: the connections they carry are gone by now. */
        EVENT_LOOPS,
        /** Clients, producers, executors and timers: last registered (built on the others) first. */
        REST,
        /** The admin server: {@code /health} and {@code /metrics} answer while everything else stops. */
        LAST
    }

    /** One close step. */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    /** Builds a service on a lifecycle, registering each resource as it creates it. */
    @FunctionalInterface
    public interface Builder<T> {
        T build(Lifecycle lifecycle) throws Exception;
    }

    private record Named(String name, Step step) {
    }

    private final String service;
    private final Consumer<String> afterRegister;
    private final Map<Phase, List<Named>> steps = new EnumMap<>(Phase.class);
    private boolean closed;

    public Lifecycle(String service) {
        this(service, step -> { });
    }

    /**
     * For tests of start-up failure: {@code afterRegister} is called with each step's name
     * right after it is registered, and may throw (unchecked) to fail the start there.
     */
    public Lifecycle(String service, Consumer<String> afterRegister) {
        this.service = service;
        this.afterRegister = afterRegister;
        for (Phase p : Phase.values()) {
            steps.put(p, new ArrayList<>());
        }
    }

    /**
     * Runs {@code builder} on {@code lifecycle}; if it throws, closes what it registered
     * (failures while closing are attached to the start failure as suppressed) and rethrows.
     */
    public static <T> T start(Lifecycle lifecycle, Builder<T> builder) throws Exception {
        try {
            return builder.build(lifecycle);
        } catch (Exception | Error e) {
            try {
                lifecycle.close();
            } catch (Exception closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** Registers {@code step} to run on close in {@code phase}, before the steps registered earlier in it. */
    public Lifecycle onClose(Phase phase, String name, Step step) {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException(service + " is already shut down");
            }
            steps.get(phase).add(new Named(name, step));
        }
        afterRegister.accept(name);
        return this;
    }

    /** The steps in the order {@link #close} runs them, by name (for tests and logs). */
    public synchronized List<String> order() {
        List<String> names = new ArrayList<>();
        for (Phase p : Phase.values()) {
            List<Named> phase = steps.get(p);
            for (int i = phase.size() - 1; i >= 0; i--) {
                names.add(phase.get(i).name());
            }
        }
        return names;
    }

    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        Exception first = null;
        for (Phase p : Phase.values()) {
            List<Named> phase = steps.get(p);
            for (int i = phase.size() - 1; i >= 0; i--) {
                Named step = phase.get(i);
                long start = System.nanoTime();
                try {
                    step.step().run();
                    log.debug("{}: {} done in {} ms", service, step.name(), (System.nanoTime() - start) / 1_000_000);
                } catch (Exception e) {
                    log.warn("{}: {} failed: {}", service, step.name(), e.toString());
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
