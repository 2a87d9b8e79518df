package io.goim.job;

import com.typesafe.config.Config;
import io.goim.job.comets.CometClient;
import io.goim.job.comets.CometPoller;
import io.goim.job.comets.CometSet;
import io.goim.job.consume.ConsumerSupervisor;
import io.goim.job.consume.PushConsumer;
import io.goim.job.discovery.CometWatcher;
import io.goim.job.dispatch.Dispatcher;
import io.goim.job.rooms.RoomBatchers;
import io.goim.libs.admin.AdminServer;
import io.goim.libs.admin.KafkaReadiness;
import io.goim.libs.admin.Readiness;
import io.goim.libs.config.Settings;
import io.goim.libs.lifecycle.Lifecycle;
import io.goim.libs.lifecycle.Lifecycle.Phase;
import io.goim.libs.lifecycle.ServiceMain;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job service: consumes the push topic, batches room messages and fans records out
 * to comets. {@link #main} is the jar's entry point; tests call {@link #start} and
 * {@link #close} (or {@link #halt}, to test what a crash leaves behind).
 *
 * <pre>
 *  Kafka ─▶ PushConsumer ─▶ Dispatcher ─┬─ user push / broadcast ──────────────┬─▶ CometClient lanes ─▶ comets
 *   (commit handed prefix)              └─ room push ─▶ RoomBatchers (OP_RAW) ─┘   (to every comet)
 * </pre>
 *
 * <p>Thread-safe: {@link #close} and {@link #halt} may be called from any thread, once or more.
 */
public final class JobServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JobServer.class);

    private final Lifecycle lifecycle;
    private final ConsumerSupervisor consumer;
    private final RoomBatchers rooms;
    private final CometPoller poller;
    private final CometSet comets;
    private final AdminServer admin;

    private final PrometheusMeterRegistry registry;

    /**
     * {@code consumers} makes a new Kafka consumer for every start of the consumer loop;
     * {@code handlers} wraps the dispatcher (tests inject failures there).
     */
    private JobServer(JobConfig config, ConsumerSupervisor.Backoff restart, Supplier<Consumer<byte[], byte[]>> consumers,
            UnaryOperator<PushConsumer.Handler> handlers, Lifecycle lifecycle) throws InterruptedException {
        this.lifecycle = lifecycle;
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "job-timer");
            t.setDaemon(true);
            return t;
        });
        lifecycle.onClose(Phase.REST, "timer", () -> {
            timer.shutdownNow();
            timer.awaitTermination(2, TimeUnit.SECONDS);
        });
        Scheduler scheduler = Scheduler.of(timer);
        registry = AdminServer.newRegistry("job");
        JobMeters meters = new JobMeters(registry);
        comets = new CometSet(config.comets(),
                (id, addresses) -> new CometClient(id, addresses, config.cometCalls(), scheduler, meters.comet(id)), meters::comet);
        lifecycle.onClose(Phase.REST, "comet clients", comets::close);
        poller = new CometPoller(comets::clients, config.cometPoll(), meters.cometPollFailures); // a poll answers within its period
        rooms = new RoomBatchers(config.room(), scheduler, Dispatcher.roomSender(comets::clients, meters.dispatch),
                meters.rooms);
        Dispatcher dispatcher = new Dispatcher(comets, rooms, meters.dispatch, scheduler,
                config.discovery().unknownCometWaitWhenOn());
        PushConsumer.Handler handler = handlers.apply(dispatcher::dispatch);
        consumer = new ConsumerSupervisor(consumers, kafka -> new PushConsumer(kafka, config.consuming(), handler, meters.consume),
                restart, meters.consumerRestarts);
        // First on close: stops polling, waits for the records handed on, commits them.
        lifecycle.onClose(Phase.STOP_ACCEPTING, "kafka consumer", consumer::close);
        CometWatcher watcher = config.discovery().enabled() ? CometWatcher.overGrpc(config.discovery().logic(),
                config.peerAuth(), config.cometTimeout(), comets, config.discovery().removeAfter(), meters.discovery,
                meters.logicRpc()) : null;
        meters.gauges(rooms, consumer, watcher);
        if (watcher != null) {
            // Registered after the comet clients, so it stops before they close.
            lifecycle.onClose(Phase.REST, "comet watcher", watcher::close);
            // Before the consumer: the comets announced are known by the first records, most of the time.
            watcher.start(config.discovery().poll());
        }
        long pollMillis = config.cometPoll().toMillis();
        timer.scheduleAtFixedRate(poller::poll, 0, pollMillis, TimeUnit.MILLISECONDS);
        consumer.start();
        KafkaReadiness kafkaReady = new KafkaReadiness(config.kafkaBootstrap(), config.topic(),
                config.admin().checkDeadline(), "goim-job-ready");
        lifecycle.onClose(Phase.REST, "kafka readiness client", kafkaReady::close);
        admin = new AdminServer("job", config.admin(), registry, () -> Readiness.all(List.of(
                CompletableFuture.completedFuture(consumer.readiness()), kafkaReady.check(),
                anyCometAnswers(comets.clients(), config.admin().checkDeadline()))));
        // Last: /health answers while the consumer drains.
        lifecycle.onClose(Phase.LAST, "admin server", admin::close);
        log.info("job consuming {} from {} as group {}, comets {}{} (peer auth: {}), admin HTTP on port {}",
                config.topic(), config.kafkaBootstrap(), config.groupId(), config.comets(),
                watcher == null ? "" : " and those announced (asking logic at " + config.discovery().logic() + ")",
                config.peerAuth().describe(), admin.port());
    }

    /**
     * Job can deliver as long as one comet answers (pushes to the others are retried until
     * they answer, leave discovery or stall), so one comet down must not take every job out
     * of service: any, not all.
     */
    private static CompletableFuture<Readiness> anyCometAnswers(Iterable<CometClient> comets, Duration deadline) {
        List<CompletableFuture<Readiness>> pings = new ArrayList<>();
        for (CometClient c : comets) {
            pings.add(c.ready(deadline));
        }
        return Readiness.any(pings);
    }

    /** The admin HTTP port: /metrics, /health, /ready. */
    public int adminPort() {
        return admin.port();
    }

    public static JobServer start(Config config) {
        return start(config, UnaryOperator.identity());
    }

    /** As {@link #start(Config)}, with the dispatcher wrapped by {@code handlers} (for tests). */
    static JobServer start(Config config, UnaryOperator<PushConsumer.Handler> handlers) {
        return start(config, handlers, new Lifecycle("job"));
    }

    /** As {@link #start(Config, UnaryOperator)}, on {@code lifecycle} (tests fail its steps). */
    static JobServer start(Config config, UnaryOperator<PushConsumer.Handler> handlers, Lifecycle lifecycle) {
        JobConfig jc = JobConfig.from(config);
        ConsumerSupervisor.Backoff restart = restartBackoff(config);
        try {
            return Lifecycle.start(lifecycle,
                    l -> new JobServer(jc, restart, () -> PushConsumer.kafkaConsumer(jc.consuming()), handlers, l));
        } catch (RuntimeException e) { // a BindException is thrown unchecked by Netty
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting job", e);
        } catch (Exception e) {
            throw new IllegalStateException("job failed to start: " + e, e);
        }
    }

    /** {@code job.kafka.restart-backoff} and {@code restart-max-backoff}: see reference.conf. */
    static ConsumerSupervisor.Backoff restartBackoff(Config config) {
        Settings kafka = Settings.of(config, "job").section("kafka");
        Duration backoff = kafka.positiveDuration("restart-backoff");
        Duration max = kafka.positiveDuration("restart-max-backoff");
        if (max.compareTo(backoff) < 0) {
            throw kafka.invalid("restart-max-backoff", max.toMillis() + "ms", ">= job.kafka.restart-backoff");
        }
        return new ConsumerSupervisor.Backoff(backoff, max);
    }

    public static void main(String[] args) {
        ServiceMain.run("job", args, JobServer::start);
    }

    /** The meters /metrics serves. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The server ids of the comets job pushes to now: configured and discovered. */
    public java.util.Collection<Integer> cometIds() {
        return comets.ids();
    }

    /** Rooms with messages queued in their batchers right now. */
    public int activeRooms() {
        return rooms.active();
    }

    /**
     * Stops like a crash: the consumer leaves without committing anything more, and
     * pushes in flight are abandoned. Their records are read again by the next owner of
     * their partitions. For tests of the delivery guarantee.
     */
    public void halt() throws Exception {
        consumer.halt();
        lifecycle.close();
    }

    /** Stops in order: consumer (waits up to shutdown-grace, commits what was handed on), comet clients, timer. */
    @Override
    public void close() throws Exception {
        lifecycle.close();
    }
}
