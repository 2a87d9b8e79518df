package io.goim.comet.push;

import java.time.Duration;

/**
 * How long a loop's room lane rests after a room round ({@code comet.push.rest}, see
 * {@link LoopOutbox}): {@code ratio} times as long as the round took, but never past
 * {@code cycle} after the round began. Room and broadcast messages that arrive meanwhile
 * wait, and leave together in the next round.
 *
 * <pre>
 *   round of 60 ms, ratio 1, cycle 200 ms:  [ round 60 ]─rest 60─[ next round
 *   round of 130 ms:                        [ round 130    ]─rest 70─[ next round     (cycle)
 *   round of 240 ms:                        [ round 240             ][ next round     (no rest)
 * </pre>
 *
 * <p>Why in proportion to the round: a round costs about one socket write per member on
 * the loop, whatever it carries, so a big room's round is long and its members are best
 * served by fewer, fuller writes, while a small room's round is short and its messages
 * barely wait. With ratio r, a loop that is kept busy by rooms spends at most 1 / (1 + r)
 * of its time writing them.
 *
 * <p>Why the cycle bounds round and rest together: a message reaches the buckets a round
 * has already passed only in the next round, after the rest. A round that is long because
 * the loop shares its core with others (a busy machine) would otherwise earn a rest as
 * long, and the tail latency grew with every slow round (measured: room messages waiting
 * up to 450 ms, with rounds up to 250 ms). With the cycle, a round starts at most
 * {@code cycle} after the previous one began (or as soon as that one ends, when it took
 * longer), so every member is written at least once a cycle while messages keep coming.
 */
public record PassRest(double ratio, Duration cycle) {
    /** No rest: every round as soon as the loop gets to it (batches grow only while a loop is behind). */
    public static final PassRest NONE = new PassRest(0, Duration.ZERO);

    public PassRest {
        if (!(ratio >= 0) || cycle.isNegative()) {
            throw new IllegalArgumentException("rest ratio and cycle must not be negative: " + ratio + ", " + cycle);
        }
    }

    boolean none() {
        return ratio == 0 || cycle.isZero();
    }

    /** The rest after a round of {@code roundNanos}, in nanoseconds: 0 or less means none. */
    long afterNanos(long roundNanos) {
        return Math.min(cycle.toNanos() - roundNanos, (long) (ratio * roundNanos));
    }
}
