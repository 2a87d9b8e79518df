package io.goim.comet;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import com.typesafe.config.Config;
import java.util.function.Supplier;
import io.micrometer.core.instrument.Counter;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the whitelist and the log configuration at run time (goim reloads on SIGHUP).
 * {@link #reload()} does the work and can be called directly; {@link #onSighup()}
 * installs a SIGHUP handler where the JVM offers {@code sun.misc.Signal}, and is a
 * no-op elsewhere. A config that no longer validates is logged and changes nothing.
 *
 * <p>Thread-safe: reloads are serialised.
 */
final class ConfigReloader {
    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    private final Supplier<Config> source;
    private final Whitelist whitelist;
    private final Counter reloads;
    private final Runnable reloadLogging;

    /**
     * @param source reads the configuration again (the same file and overrides as at start)
     * @param reloadLogging re-reads the log configuration: {@link #LOGBACK} in a comet
     *        process; a comet started inside another program (tests, benchmarks) leaves
     *        that program's logging alone
     */
    ConfigReloader(Supplier<Config> source, Whitelist whitelist, Counter reloads, Runnable reloadLogging) {
        this.source = source;
        this.whitelist = whitelist;
        this.reloads = reloads;
        this.reloadLogging = reloadLogging;
    }

    /** Resets logback and runs its usual configuration search again (logback.xml, -Dlogback.configurationFile). */
    static final Runnable LOGBACK = ConfigReloader::reloadLogback;

    /** Reloads; returns false (and changes nothing) when the configuration is invalid. */
    synchronized boolean reload() {
        CometConfig config;
        try {
            config = CometConfig.from(source.get());
        } catch (RuntimeException e) {
            log.warn("reload refused, keeping the running whitelist: {}", e.getMessage());
            return false;
        }
        whitelist.replace(config.whitelist());
        reloadLogging.run();
        reloads.increment();
        log.info("reloaded: whitelist {}", config.whitelist());
        return true;
    }

    private static void reloadLogback() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context) {
            context.reset();
            try {
                new ContextInitializer(context).autoConfig();
            } catch (Exception e) {
                log.warn("log configuration not reloaded: {}", e.toString());
            }
        }
    }

    /** Reloads on SIGHUP, when this JVM supports signal handlers; returns whether one was installed. */
    boolean onSighup() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> reload());
            return true;
        } catch (Throwable e) { // no sun.misc.Signal, or HUP not available on this OS
            log.info("SIGHUP reload not available: {}", e.toString());
            return false;
        }
    }
}
