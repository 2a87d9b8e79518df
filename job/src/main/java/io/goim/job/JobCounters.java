package io.goim.job;

import java.util.concurrent.atomic.LongAdder;

/** Job's event counters, cheap to bump from any thread; read by metrics and tests. */
public final class JobCounters {
    /** Records consumed from Kafka. */
    public final LongAdder consumed = new LongAdder();
    /** Records that could not be parsed or had no valid type; logged and skipped. */
    public final LongAdder malformed = new LongAdder();
    /** User pushes addressed to a comet that is not configured. */
    public final LongAdder unknownComet = new LongAdder();
    /** Comet calls that failed after every attempt; the push did not reach that comet. */
    public final LongAdder cometCallsGivenUp = new LongAdder();
    /** Comet calls that succeeded. */
    public final LongAdder cometCallsOk = new LongAdder();
}
