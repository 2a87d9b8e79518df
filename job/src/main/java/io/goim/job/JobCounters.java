package io.goim.job;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Job's event counters, cheap to bump from any thread; read by metrics and tests.
 * {@code docs/delivery.md} explains which of them mean a message was not delivered.
 */
public final class JobCounters {
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
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final LongAdder[] received = adders();
    private final LongAdder[] callsOk = adders();
    private final LongAdder[] callsGivenUp = adders();

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[Kind.values().length];
        for (int i = 0; i < a.length; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /** Counts one valid record of {@code kind}. */
    void record(Kind kind) {
        received[kind.ordinal()].increment();
    }

    /** Counts one comet call for a push of {@code kind}: succeeded ({@code ok}) or given up. */
    void call(Kind kind, boolean ok) {
        (ok ? callsOk : callsGivenUp)[kind.ordinal()].increment();
    }

    /** Valid records of {@code kind} consumed. */
    public long received(Kind kind) {
        return received[kind.ordinal()].sum();
    }

    /**
     * Comet calls for pushes of {@code kind} that succeeded ({@code ok}) or were given up. A
     * user push is one call, a broadcast one per comet, a room batch one per hosting comet.
     */
    public long calls(Kind kind, boolean ok) {
        return (ok ? callsOk : callsGivenUp)[kind.ordinal()].sum();
    }

    /** Records consumed from Kafka (each once, however often it was retried). */
    public final LongAdder consumed = new LongAdder();
    /** Records that could not be parsed or had no valid type; logged and skipped. */
    public final LongAdder malformed = new LongAdder();
    /** User pushes addressed to a comet that is not configured; logged and skipped. */
    public final LongAdder unknownComet = new LongAdder();
    /** Comet calls that succeeded. */
    public final LongAdder cometCallsOk = new LongAdder();
    /** Comet calls given up (retries exhausted, lane full, or comet known down); the push did not reach that comet. */
    public final LongAdder cometCallsGivenUp = new LongAdder();
    /** Comet calls retried after a transient failure. */
    public final LongAdder cometRetries = new LongAdder();
    /** Offers of room messages refused because the room's queue was full (the partition waits); repeated every few ms while one waits. */
    public final LongAdder roomBackpressure = new LongAdder();
    /** OP_RAW batches sent (each once, whatever the number of comets it went to). */
    public final LongAdder roomBatches = new LongAdder();
    /** Room messages sent in those batches; divided by {@link #roomBatches}, the mean batch size. */
    public final LongAdder roomBatchedMessages = new LongAdder();
    /** The largest batch sent so far. */
    public final LongAccumulator roomLargestBatch = new LongAccumulator(Math::max, 0);
    /** Polls of a comet that got no answer (it stays or is marked down until one does). */
    public final LongAdder cometPollFailures = new LongAdder();
    /** Offset commits that succeeded. */
    public final LongAdder commits = new LongAdder();
    /** Times a partition was paused (a full room queue or too many records in flight). */
    public final LongAdder pauses = new LongAdder();
    /** Partitions revoked in a rebalance. */
    public final LongAdder partitionsRevoked = new LongAdder();
    /** Records of revoked partitions still in flight when revoke-grace ran out (left uncommitted). */
    public final LongAdder revokeAbandoned = new LongAdder();
    /** Records in the assigned partitions not yet consumed, as the consumer last knew it (a gauge). */
    public final AtomicLong lag = new AtomicLong();
    private final Map<Integer, LongAdder> givenUpByComet = new ConcurrentHashMap<>();

    /** Counts one call given up for {@code comet}. */
    void countGivenUp(int comet) {
        cometCallsGivenUp.increment();
        givenUpByComet.computeIfAbsent(comet, c -> new LongAdder()).increment();
    }

    /** Calls given up for one comet. */
    public long givenUpFor(int comet) {
        LongAdder a = givenUpByComet.get(comet);
        return a == null ? 0 : a.sum();
    }

    /** Mean messages per OP_RAW batch so far; 0 before the first batch. */
    public double meanBatchSize() {
        long batches = roomBatches.sum();
        return batches == 0 ? 0 : (double) roomBatchedMessages.sum() / batches;
    }
}
