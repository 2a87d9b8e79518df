package io.goim.libs.lifecycle;

import com.typesafe.config.Config;
import java.util.concurrent.CountDownLatch;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.config.InvalidConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The common body of each service's {@code main}: load config, start, register the JVM
 * shutdown hook that runs the service's ordered shutdown, then wait for it. Start-up
 * failure exits with status 1 and a one-line reason.
 */
public final class ServiceMain {
    private static final Logger log = LoggerFactory.getLogger(ServiceMain.class);

    /** Starts a service from a loaded config. */
    @FunctionalInterface
    public interface Starter {
        AutoCloseable start(Config config) throws Exception;
    }

    private ServiceMain() {
    }

    public static void run(String service, String[] args, Starter starter) {
        long begin = System.nanoTime();
        AutoCloseable running;
        try {
            running = starter.start(ConfigLoader.load(args));
        } catch (InvalidConfigException e) {
            log.error("{}: bad configuration: {}", service, e.getMessage());
            System.exit(1);
            return;
        } catch (Exception e) {
            log.error("{}: failed to start", service, e);
            System.exit(1);
            return;
        }
        log.info("{} started in {} ms", service, (System.nanoTime() - begin) / 1_000_000);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("{} stopping", service);
            try {
                running.close();
                log.info("{} stopped", service);
            } catch (Exception e) {
                log.error("{}: shutdown failed", service, e);
            } finally {
                stopped.countDown();
            }
        }, service + "-shutdown"));
        // gRPC and Kafka threads are daemons: main keeps the JVM alive until SIGTERM.
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
