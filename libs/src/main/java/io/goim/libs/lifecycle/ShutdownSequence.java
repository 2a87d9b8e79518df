package io.goim.libs.lifecycle;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's one ordered shutdown path: steps run in the order they were added
 * (stop accepting first, release resources last), each once, even when an earlier one
 * failed. The first failure is rethrown with later ones attached as suppressed.
 *
 * <p>Thread-safe; closing twice is a no-op.
 */
public final class ShutdownSequence implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShutdownSequence.class);

    /** One named step. */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    private final String service;
    private final List<String> names = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private boolean closed;

    public ShutdownSequence(String service) {
        this.service = service;
    }

    /** Adds a step to run after those added before it. */
    public synchronized ShutdownSequence then(String name, Step step) {
        if (closed) {
            throw new IllegalStateException(service + " is already shut down");
        }
        names.add(name);
        steps.add(step);
        return this;
    }

    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        Exception first = null;
        for (int i = 0; i < steps.size(); i++) {
            long start = System.nanoTime();
            try {
                steps.get(i).run();
                log.debug("{}: {} done in {} ms", service, names.get(i), (System.nanoTime() - start) / 1_000_000);
            } catch (Exception e) {
                log.warn("{}: {} failed: {}", service, names.get(i), e.toString());
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
