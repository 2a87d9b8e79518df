package io.goim.e2e;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class whose tests and lifecycle methods take the run's shared cluster
 * ({@link LocalCluster}) or a builder of their own on the shared broker
 * ({@link LocalCluster.Builder}) as parameters; see {@link SharedCluster}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(SharedCluster.class)
public @interface ClusterTest {
}
