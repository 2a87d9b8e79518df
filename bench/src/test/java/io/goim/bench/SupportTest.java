package io.goim.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.config.InvalidConfigException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config validation, stats files and /proc CPU readings. */
class SupportTest {
    @Test
    void statsFilesOfSeveralProcessesAreSummed(@TempDir Path dir) throws Exception {
        LoadStats a = new LoadStats();
        a.pushes.add(5);
        a.authed.add(2);
        LoadStats b = new LoadStats();
        b.pushes.add(7);
        a.write(dir.resolve("load-0.stats"));
        b.write(dir.resolve("load-1.stats"));
        assertEquals(12, StatsDir.sum(dir, "pushes"));
        assertEquals(2, StatsDir.sum(dir, "authed"));
    }

    @Test
    void cpuSecondsOfThisProcessGrowWithWork() throws Exception {
        long pid = ProcessHandle.current().pid();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double before = ProcessCpu.of(pid).total();
        // Burn 0.3 s of this thread's own CPU (not wall time: the machine may be busy).
        long until = threads.getCurrentThreadCpuTime() + 300_000_000L;
        long x = 0;
        while (threads.getCurrentThreadCpuTime() < until) {
            x += x * 31 + 1;
        }
        double after = ProcessCpu.of(pid).total();
        assertTrue(after - before >= 0.25, "CPU " + before + " -> " + after + " (" + x + ")");
    }

    @Test
    void moreConnectionsThanOneProcessMayHoldAreRefused() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> LoadConfig.from(
                ConfigLoader.withDefaults(ConfigFactory.parseMap(Map.of("bench.load.connections", 20_000)))));
        assertTrue(e.getMessage().contains("bench.load.connections"), e.getMessage());
    }

    @Test
    void sourceAddressesMustBeLoopback() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> LoadConfig.from(
                ConfigLoader.withDefaults(ConfigFactory.parseMap(Map.of("bench.load.sources", List.of("10.0.0.1"))))));
        assertTrue(e.getMessage().contains("loopback"), e.getMessage());
    }

    @Test
    void receiptsAreOffByDefaultAndNeedAStatsFile() {
        assertTrue(!LoadConfig.from(ConfigLoader.withDefaults(ConfigFactory.empty())).logReceipts());
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> LoadConfig.from(
                ConfigLoader.withDefaults(ConfigFactory.parseMap(Map.of("bench.load.log-receipts", true)))));
        assertTrue(e.getMessage().contains("bench.load.log-receipts"), e.getMessage());
    }
}
