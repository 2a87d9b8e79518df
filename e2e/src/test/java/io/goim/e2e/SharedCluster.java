package io.goim.e2e;

import io.goim.libs.testing.KafkaBroker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One Kafka broker for the whole test run, and one standard cluster (a router, logic,
 * comet and job) on it, instead of a broker and a cluster per class. Used through
 * {@link ClusterTest}; a test or lifecycle method asks for what it needs by parameter:
 *
 * <ul>
 *   <li>{@link LocalCluster}: the run's standard cluster, shared with every other test that
 *       asks for it. Such a test addresses only users and rooms of its own
 *       ({@link LocalCluster#newId()}), never
 *       broadcasts, never stops a service and asserts no cluster-wide count, so it neither
 *       sees nor disturbs another test's pushes.</li>
 *   <li>{@link LocalCluster.Builder}: a cluster of its own (a special configuration, a
 *       service to kill, counts to assert) on the shared broker, with its own topic and job
 *       group. What it starts is closed when the method that asked is done, or, asked by
 *       {@code @BeforeAll}, after the class (before the leak check looks for lost buffers).</li>
 * </ul>
 *
 * <p>Both shared parts are made on first use, in JUnit's root store, which closes them after
 * the last test.
 */
public final class SharedCluster implements ParameterResolver, AfterAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedCluster.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == LocalCluster.class || type == LocalCluster.Builder.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Run run = context.getRoot().getStore(NAMESPACE).computeIfAbsent(Run.class, k -> new Run(), Run.class);
        try {
            if (parameter.getParameter().getType() == LocalCluster.class) {
                return run.standard();
            }
            LocalCluster.Builder builder = new LocalCluster.Builder(run.broker());
            opened(context).add(builder);
            return builder;
        } catch (Exception e) {
            throw new ParameterResolutionException("could not start the shared broker or cluster", e);
        }
    }

    /**
     * A class's own clusters are closed here rather than when its store closes: that is after
     * every other extension's afterAll, and the leak check must see the buffers their shutdown
     * frees. A test's own clusters close with its store, before that.
     */
    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Opened o = context.getStore(NAMESPACE).remove(key(context), Opened.class);
        if (o != null) {
            o.close();
        }
    }

    /** The builders handed out in {@code context} itself (a store lookup would also find its parents'). */
    private static Opened opened(ExtensionContext context) {
        return context.getStore(NAMESPACE).computeIfAbsent(key(context), k -> new Opened(), Opened.class);
    }

    private static String key(ExtensionContext context) {
        return "opened " + context.getUniqueId();
    }

    /** The builders of one test or class; the store closes it when that scope ends. */
    private static final class Opened implements AutoCloseable {
        private final List<LocalCluster.Builder> builders = new ArrayList<>();

        synchronized void add(LocalCluster.Builder b) {
            builders.add(b);
        }

        @Override
        public synchronized void close() throws Exception {
            Exception first = null;
            for (LocalCluster.Builder b : builders) {
                try {
                    b.closeStarted();
                } catch (Exception e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            builders.clear();
            if (first != null) {
                throw first;
            }
        }
    }

    /** What the whole run shares; closed by JUnit after the last test. */
    private static final class Run implements AutoCloseable {
        private KafkaBroker broker;
        private LocalCluster standard;

        synchronized KafkaBroker broker() throws Exception {
            if (broker == null) {
                broker = KafkaBroker.start();
            }
            return broker;
        }

        synchronized LocalCluster standard() throws Exception {
            if (standard == null) {
                standard = new LocalCluster.Builder(broker()).start();
            }
            return standard;
        }

        @Override
        public synchronized void close() throws Exception {
            try (KafkaBroker b = broker) {
                if (standard != null) {
                    standard.close();
                }
            }
        }
    }
}
