package io.goim.job.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.typesafe.config.ConfigFactory;
import io.goim.job.JobConfig;
import io.goim.job.JobMeters;
import io.goim.job.comets.CometClient;
import io.goim.job.comets.CometSet;
import io.goim.libs.config.ConfigLoader;
import io.goim.libs.config.HostPort;
import io.goim.proto.CometInstance;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Job following the comets announced: added, moved, removed only after remove-after, a
 * configured id left alone, a failed poll changing nothing. The clients are real (their
 * channels never connect: nothing is sent).
 */
class CometWatcherTest {
    private final AtomicLong clock = new AtomicLong();
    private final JobConfig config = JobConfig.from(ConfigLoader.withDefaults(ConfigFactory.parseMap(Map.of())));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final JobMeters meters = new JobMeters(registry);
    private final CometSet comets = new CometSet(Map.of(1, List.of(new HostPort("127.0.0.1", 1001))),
            (id, addresses) -> new CometClient(id, addresses, config.cometCalls(), (d, t) -> t.run(), meters.comet(id)),
            meters::comet);
    private CompletableFuture<List<CometInstance>> answer = CompletableFuture.completedFuture(List.of());
    private final CometWatcher watcher = new CometWatcher(() -> answer, comets, Duration.ofSeconds(3), clock::get,
            meters.discovery);

    @AfterEach
    void close() throws Exception {
        watcher.close();
        comets.close();
    }

    private static CometInstance comet(int server, int port) {
        return CometInstance.newBuilder().setServer(server).setGrpc("127.0.0.1:" + port).setTtlMs(10_000).build();
    }

    private void poll(CometInstance... announced) {
        answer = CompletableFuture.completedFuture(List.of(announced));
        watcher.pollOnce();
    }

    private Set<Integer> ids() {
        return new TreeSet<>(comets.ids());
    }

    private void advanceSeconds(long s) {
        clock.addAndGet(TimeUnit.SECONDS.toNanos(s));
    }

    @Test
    void followsAddsMovesAndRemovalsAfterRemoveAfter() {
        poll(comet(2, 1002), comet(3, 1003));
        assertEquals(Set.of(1, 2, 3), ids());
        CometClient two = comets.get(2).client();

        poll(comet(2, 1002), comet(3, 2003)); // comet 3 came back elsewhere
        assertSame(two, comets.get(2).client(), "unchanged: same client");
        assertEquals(List.of(new HostPort("127.0.0.1", 2003)), comets.get(3).addresses());

        poll(comet(3, 2003)); // comet 2 missing: maybe a store restarted empty
        advanceSeconds(2);
        poll(comet(3, 2003));
        assertEquals(Set.of(1, 2, 3), ids(), "kept while missing for less than remove-after");
        advanceSeconds(1);
        poll(comet(3, 2003));
        assertEquals(Set.of(1, 3), ids(), "dropped once missing for remove-after");

        poll(comet(2, 1002), comet(3, 2003));
        assertNotSame(two, comets.get(2).client(), "back: a new client");
    }

    @Test
    void aConfiguredCometKeepsItsAddressAndStays() {
        poll(comet(1, 9999));
        assertEquals(List.of(new HostPort("127.0.0.1", 1001)), comets.get(1).addresses());
        advanceSeconds(60);
        poll();
        poll();
        assertEquals(Set.of(1), ids());
    }

    @Test
    void aFailedPollChangesNothing() {
        poll(comet(2, 1002));
        answer = CompletableFuture.failedFuture(new IllegalStateException("logic down"));
        advanceSeconds(60);
        watcher.pollOnce();
        assertEquals(Set.of(1, 2), ids());
        assertEquals(1.0, registry.get("goim_job_discovery_polls").tag("outcome", "failed").counter().count());
    }

    @Test
    void anEmptyCometListNeedsDiscovery() {
        assertEquals(Map.of(), config.comets(), "the default: comets are discovered");
        org.junit.jupiter.api.Assertions.assertThrows(io.goim.libs.config.InvalidConfigException.class,
                () -> JobConfig.from(ConfigLoader.withDefaults(ConfigFactory.parseMap(
                        Map.of("job.discovery.enabled", false)))));
    }
}
