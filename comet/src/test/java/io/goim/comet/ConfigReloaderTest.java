package io.goim.comet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.config.InvalidConfigException;
import io.goim.libs.testing.Counts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The whitelist, its reload (what SIGHUP triggers), and config validation of the new keys. */
class ConfigReloaderTest {
    private final java.util.concurrent.atomic.AtomicInteger logReloads = new java.util.concurrent.atomic.AtomicInteger();

    private static Config config(Map<String, Object> m) {
        return ConfigLoader.withDefaults(ConfigFactory.parseMap(m));
    }

    @Test
    void whitelistMatchesByPrefix() {
        Whitelist w = new Whitelist(List.of("1000_", "42"));
        assertTrue(w.contains("1000_3"));
        assertTrue(w.contains("4217_1"));
        assertFalse(w.contains("100_1"));
        assertFalse(new Whitelist(List.of()).contains("1000_3"));
    }

    @Test
    void whitelistedStepsGoToTheirOwnLogger() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Logger logger = (Logger) LoggerFactory.getLogger("goim.whitelist");
        ch.qos.logback.classic.Level level = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.INFO); // as in comet's logback.xml
        logger.addAppender(appender);
        try {
            Whitelist w = new Whitelist(List.of("7_"));
            w.log("7_1", "heartbeat seq {}", 3);
            w.log("8_1", "heartbeat seq {}", 4);
            assertEquals(1, appender.list.size());
            assertEquals("[7_1] heartbeat seq 3", appender.list.get(0).getFormattedMessage());
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(level);
        }
    }

    private static Counter reloads() {
        return new CometMeters(new SimpleMeterRegistry()).reloads;
    }

    @Test
    void reloadReplacesTheWhitelistFromTheConfigSource() {
        AtomicReference<Config> file = new AtomicReference<>(config(Map.of("comet.whitelist", List.of("1_"))));
        CometConfig first = CometConfig.from(file.get());
        Whitelist w = new Whitelist(first.whitelist());
        CometMeters meters = new CometMeters(new SimpleMeterRegistry());
        ConfigReloader reloader = new ConfigReloader(file::get, w, meters.reloads, logReloads::incrementAndGet);
        assertTrue(w.contains("1_5"));

        file.set(config(Map.of("comet.whitelist", List.of("2_", "3_"))));
        assertTrue(reloader.reload());
        assertFalse(w.contains("1_5"));
        assertTrue(w.contains("3_9"));
        assertEquals(1, Counts.of(meters.registry(), "goim_comet_reloads"));
        assertEquals(1, logReloads.get());
    }

    @Test
    void invalidConfigOnReloadKeepsTheRunningWhitelist() {
        AtomicReference<Config> file = new AtomicReference<>(config(Map.of("comet.whitelist", List.of("1_"))));
        Whitelist w = new Whitelist(List.of("1_"));
        ConfigReloader reloader = new ConfigReloader(file::get, w, reloads(), logReloads::incrementAndGet);
        file.set(config(Map.of("comet.whitelist", List.of("9_"), "comet.buckets", 0)));
        assertFalse(reloader.reload());
        assertTrue(w.contains("1_5"));
        assertEquals(0, logReloads.get());
    }

    @Test
    void sighupHandlerInstallsOnThisJvm() {
        // Installing only; the handler calls reload(), tested above without a real signal.
        ConfigReloader reloader = new ConfigReloader(() -> config(Map.of()), new Whitelist(List.of()),
                reloads(), logReloads::incrementAndGet);
        assertTrue(reloader.onSighup());
    }

    @Test
    void tlsNeedsBothCertificateAndKey() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> CometConfig.from(config(Map.of("comet.tls.cert-file", "/nonexistent/cert.pem"))));
        assertEquals("comet.tls.key-file: \"\" (expected: set, since the other of cert-file and key-file is)",
                e.getMessage());
        InvalidConfigException missing = assertThrows(InvalidConfigException.class, () -> CometConfig.from(config(
                Map.of("comet.tls.cert-file", "/nonexistent/cert.pem", "comet.tls.key-file", "/nonexistent/key.pem"))));
        assertTrue(missing.getMessage().contains("expected: a readable file"), missing.getMessage());
    }

    @Test
    void highWaterMarkBelowLowIsRefused() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> CometConfig.from(config(Map.of(
                "comet.write-buffer.low-water-mark", "64KiB", "comet.write-buffer.high-water-mark", "32KiB"))));
        assertTrue(e.getMessage().startsWith("comet.write-buffer.high-water-mark"), e.getMessage());
    }

    @Test
    void defaultsAreGoimsPorts() {
        CometConfig c = CometConfig.from(config(Map.of()));
        assertEquals(8080, c.tcp().port());
        assertEquals(8090, c.websocket().port());
        assertEquals(8092, c.grpc().port());
        assertFalse(c.tls().enabled());
        assertEquals(List.of(), c.whitelist());
    }
}
