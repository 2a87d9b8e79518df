package io.goim.job;

import io.goim.libs.admin.CounterFamily;
import io.goim.job.comets.CometClient;
import io.goim.job.consume.ConsumerSupervisor;
import io.goim.job.discovery.CometWatcher;
import io.goim.job.rooms.RoomBatchers;
import io.goim.libs.admin.RpcMetrics;
import io.grpc.ClientInterceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * Every meter job keeps, named and described here and created once, when job is built (a
 * comet's when job first meets it); each component is handed the few it counts with (the
 * views below) and counts where the event happens, so {@code /metrics} shows the counts
 * themselves. docs/operations.md says what each means and when to alert (its list is
 * checked against a scrape); docs/delivery.md which of them mean a message was not delivered.
 *
 * <p>Thread-safe.
 */
public final class JobMeters {
    /** What a push record is for, as counted and tagged in metrics. */
    public enum Kind {
        /** MULTIPLE: to subKeys on one comet. */
        USER,
        /** BROADCAST: to every connection on every comet. */
        BROADCAST,
        /** BROADCAST_ROOM: to the comets hosting a room, in batches. */
        ROOM;

        /** Lower-case name for metric tags. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What the dispatcher counts: valid records by kind; comet calls by push kind and outcome
     * (one per push and comet: a user push is one, a broadcast one per comet, a room batch
     * one per comet); records skipped; room offers refused by a full queue; records whose
     * operation was replaced.
     */
    public record Dispatch(Map<Kind, Counter> records, Map<Kind, Counter> callsOk, Map<Kind, Counter> callsGivenUp,
            Counter malformed, Counter unknownComet, Counter roomBackpressure, CounterFamily operationsReplaced) {
        /** Counts one comet call for a push of {@code kind}: succeeded ({@code ok}) or given up. */
        public void call(Kind kind, boolean ok) {
            (ok ? callsOk : callsGivenUp).get(kind).increment();
        }
    }

    /** What a consumer loop counts; {@code lag} is the gauge's value, set by the loop. */
    public record Consume(Counter consumed, Counter commits, Counter pauses, Counter partitionsRevoked,
            Counter revokeAbandoned, AtomicLong lag) {
    }

    /** Room batches sent: how many, the messages in them, the largest (a gauge's value). */
    public record Rooms(Counter batches, Counter messages, LongAccumulator largest) {
    }

    /**
     * One comet's meters: its calls' timings, busy answers, calls given up by reason, the
     * times it passed the stall limit, retries (shared by every comet), user-push batches.
     */
    public record PerComet(ClientInterceptor rpc, Counter busy, Map<CometClient.GiveUp, Counter> givenUp, Counter stalls,
            Counter retries, Counter userBatches, Counter userBatchedPushes) {
    }

    /** Polls of logic for the comets announced, by outcome (comet discovery). */
    public record Discovery(Counter pollsOk, Counter pollsFailed) {
    }

    public final Dispatch dispatch;
    public final Consume consume;
    public final Rooms rooms;
    public final Counter cometPollFailures;
    public final Counter consumerRestarts;
    public final Discovery discovery;
    private final Counter cometRetries;
    private final ConcurrentMap<Integer, PerComet> comets = new ConcurrentHashMap<>();
    private final MeterRegistry registry;

    public JobMeters(MeterRegistry r) {
        this.registry = r;
        Map<Kind, Counter> records = new EnumMap<>(Kind.class);
        Map<Kind, Counter> ok = new EnumMap<>(Kind.class);
        Map<Kind, Counter> givenUp = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) {
            records.put(kind, counter("goim_job_pushes", "Valid push records consumed, by kind (user, broadcast, room)",
                    "kind", kind.tag()));
            ok.put(kind, counter("goim_job_push_calls", PUSH_CALLS_HELP, "kind", kind.tag(), "outcome", "ok"));
            givenUp.put(kind, counter("goim_job_push_calls", PUSH_CALLS_HELP, "kind", kind.tag(), "outcome", "given_up"));
        }
        dispatch = new Dispatch(records, ok, givenUp,
                counter("goim_job_malformed", "Records that could not be parsed; skipped"),
                counter("goim_job_unknown_comet", "User pushes for a comet not configured; skipped"),
                counter("goim_job_room_backpressure",
                        "Offers of room messages refused because the room queue was full (the partition waits in Kafka)"),
                // Tagged by name: Op.name maps every undefined code to "unknown", so the tag stays bounded.
                new CounterFamily(r, "goim_job_record_operations_replaced", "Kafka records whose operation was not a"
                        + " push (a control operation such as disconnect or auth reply): delivered as op 5 instead", "op")
                        .register(io.goim.protocol.Op.controlNames()));
        AtomicLong lag = new AtomicLong();
        Gauge.builder("goim_job_consumer_lag", lag, AtomicLong::get)
                .description("Records in the assigned partitions not yet consumed").register(r);
        consume = new Consume(counter("goim_job_consumed", "Records consumed from Kafka"),
                counter("goim_job_commits", "Offset commits that succeeded"),
                counter("goim_job_pauses", "Times a partition was paused (backpressure)"),
                counter("goim_job_partitions_revoked", "Partitions revoked in rebalances"),
                counter("goim_job_revoke_abandoned", "Records of revoked partitions still in flight when revoke-grace ran out"),
                lag);
        LongAccumulator largest = new LongAccumulator(Math::max, 0);
        Gauge.builder("goim_job_room_largest_batch", largest, LongAccumulator::get)
                .description("Largest room batch sent so far").register(r);
        rooms = new Rooms(counter("goim_job_room_batches", "OP_RAW room batches sent"),
                counter("goim_job_room_batched_messages",
                        "Room messages sent in batches (divided by goim_job_room_batches_total: mean batch size)"),
                largest);
        cometRetries = counter("goim_job_comet_retries",
                "Comet calls retried after a transient failure (no answer: unavailable or past the deadline)");
        cometPollFailures = counter("goim_job_comet_poll_failures", "Polls of comets that got no answer");
        consumerRestarts = counter("goim_job_consumer_restarts", "Consumer loops restarted after an unexpected failure");
        discovery = new Discovery(counter("goim_job_discovery_polls", DISCOVERY_HELP, "outcome", "ok"),
                counter("goim_job_discovery_polls", DISCOVERY_HELP, "outcome", "failed"));
    }

    /** Comet {@code id}'s meters, made when job first meets it and kept (a comet that comes back counts on). */
    public PerComet comet(int id) {
        PerComet m = comets.get(id);
        return m != null ? m : comets.computeIfAbsent(id, this::newComet);
    }

    private PerComet newComet(int id) {
        String comet = Integer.toString(id);
        Map<CometClient.GiveUp, Counter> givenUp = new EnumMap<>(CometClient.GiveUp.class);
        for (CometClient.GiveUp reason : CometClient.GiveUp.values()) {
            givenUp.put(reason, counter("goim_job_comet_given_up", GIVEN_UP_HELP, "comet", comet, "reason", reason.tag()));
        }
        return new PerComet(RpcMetrics.interceptor(registry, "comet-" + id),
                counter("goim_job_comet_busy",
                        "Comet calls answered RESOURCE_EXHAUSTED (comet behind) and retried after a backoff", "comet", comet),
                givenUp,
                counter("goim_job_comet_stalls", "Times a comet answered no push call for job.comet-stall-limit"
                        + " (its queued and new calls given up until it answered again)", "comet", comet),
                cometRetries,
                counter("goim_job_user_batches", "Calls that carried user pushes to a comet (MPushMsgs)", "comet", comet),
                counter("goim_job_user_batched_pushes",
                        "User pushes (records) in those calls; divided by goim_job_user_batches_total: mean batch",
                        "comet", comet));
    }

    /** The gauges read from the parts that hold the values; {@code watcher} null without discovery. */
    void gauges(RoomBatchers roomBatchers, ConsumerSupervisor consumer, CometWatcher watcher) {
        Gauge.builder("goim_job_active_rooms", roomBatchers, RoomBatchers::active)
                .description("Rooms with messages queued in their batchers").register(registry);
        Gauge.builder("goim_job_partitions_owned", consumer, ConsumerSupervisor::ownedPartitions)
                .description("Partitions this job's consumer owns; -1 while joining, rebalancing or restarting")
                .register(registry);
        if (watcher != null) {
            Gauge.builder("goim_job_discovered_comets", watcher, CometWatcher::followedCount)
                    .description("Comets job follows from discovery (besides job.comets)").register(registry);
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Timings of job's calls to logic (comet discovery), made only when discovery is on. */
    public ClientInterceptor logicRpc() {
        return RpcMetrics.interceptor(registry, "logic");
    }

    private Counter counter(String name, String help, String... tags) {
        return Counter.builder(name).description(help).tags(tags).register(registry);
    }

    private static final String PUSH_CALLS_HELP = "Pushes handed to comets, by kind and outcome: one per push and comet"
            + " (given_up: that push did not reach that comet); user pushes that piled up share one call,"
            + " see goim_job_user_batches_total";
    private static final String GIVEN_UP_HELP = "Push calls given up, per comet and reason: gone (the comet left"
            + " discovery), stalled (it answered nothing for job.comet-stall-limit), refused (a status a retry cannot"
            + " change), stopping (job stopped; the records are read again)";
    private static final String DISCOVERY_HELP = "Polls of logic for the comets announced, by outcome";
}
