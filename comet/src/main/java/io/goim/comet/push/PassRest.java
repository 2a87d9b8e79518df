package io.goim.comet.push;

import java.time.Duration;

/**
 * How long a loop's room lane rests after a room pass ({@code comet.push.rest}):
 * {@code ratio} times as long as the pass took, at most {@code max}. Room and broadcast
 * messages that arrive meanwhile wait, and leave together in the next pass.
 *
 * <p>Why in proportion to the pass: a pass costs about one socket write per member on
 * the loop, whatever it carries, so a big room's pass is long and its members are best
 * served by fewer, fuller writes, while a small room's pass is short and its messages
 * barely wait. With ratio r, a loop that is kept busy by rooms spends at most 1 / (1 + r)
 * of its time writing them, and a message waits at most (1 + r) passes.
 */
public record PassRest(double ratio, Duration max) {
    /** No rest: every pass as soon as the loop gets to it (batches grow only while a loop is behind). */
    public static final PassRest NONE = new PassRest(0, Duration.ZERO);

    public PassRest {
        if (!(ratio >= 0) || max.isNegative()) {
            throw new IllegalArgumentException("rest ratio and max must not be negative: " + ratio + ", " + max);
        }
    }

    boolean none() {
        return ratio == 0 || max.isZero();
    }

    /** The rest after a pass of {@code passNanos}, in nanoseconds. */
    long afterNanos(long passNanos) {
        return Math.min(max.toNanos(), (long) (ratio * passNanos));
    }
}
