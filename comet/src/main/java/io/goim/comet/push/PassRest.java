package io.goim.comet.push;

import java.time.Duration;

/**
 * How long a loop's room lane rests after a room pass ({@code comet.push.rest}):
 * {@code ratio} times as long as the pass took, but never past {@code cycle} after the
 * pass began. Room and broadcast messages that arrive meanwhile wait, and leave together
 * in the next pass.
 *
 * <pre>
 *   pass of 60 ms, ratio 1, cycle 200 ms:   [ pass 60 ]─rest 60─[ next pass
 *   pass of 130 ms:                         [ pass 130    ]─rest 70─[ next pass     (cycle)
 *   pass of 240 ms:                         [ pass 240             ][ next pass     (no rest)
 * </pre>
 *
 * <p>Why in proportion to the pass: a pass costs about one socket write per member on
 * the loop, whatever it carries, so a big room's pass is long and its members are best
 * served by fewer, fuller writes, while a small room's pass is short and its messages
 * barely wait. With ratio r, a loop that is kept busy by rooms spends at most 1 / (1 + r)
 * of its time writing them.
 *
 * <p>Why the cycle bounds pass and rest together: a message that arrives just after a pass
 * began waits for that pass, the rest, and its place in the next pass. A pass that is long
 * because the loop shares its core with others (a busy machine) would otherwise earn a
 * rest as long, and the tail latency grew with every slow pass (measured: room messages
 * waiting up to 450 ms before their pass began, with passes up to 250 ms). With the
 * cycle, a room pass starts at most {@code cycle} after the previous one began (or as soon
 * as that one ends, when it took longer), so a message waits at most one cycle for its
 * pass, and every member is written at least once a cycle while messages keep coming.
 */
public record PassRest(double ratio, Duration cycle) {
    /** No rest: every pass as soon as the loop gets to it (batches grow only while a loop is behind). */
    public static final PassRest NONE = new PassRest(0, Duration.ZERO);

    public PassRest {
        if (!(ratio >= 0) || cycle.isNegative()) {
            throw new IllegalArgumentException("rest ratio and cycle must not be negative: " + ratio + ", " + cycle);
        }
    }

    boolean none() {
        return ratio == 0 || cycle.isZero();
    }

    /** The rest after a pass of {@code passNanos}, in nanoseconds: 0 or less means none. */
    long afterNanos(long passNanos) {
        return Math.min(cycle.toNanos() - passNanos, (long) (ratio * passNanos));
    }
}
