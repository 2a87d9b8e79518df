package io.goim.bench.faults;

import java.util.BitSet;

/**
 * What one client received of one kind of push (room, user or broadcast): which sequence
 * numbers, how many twice or more, and the order of first arrivals (room order is checked
 * on it). Bounded by the number of pushes of the run. Guarded by the owning {@link Member}.
 */
final class Received {
    private final BitSet seen = new BitSet();
    private int[] order = new int[256];
    private int size;
    private long duplicates;

    void add(int seq) {
        if (seen.get(seq)) {
            duplicates++;
            return;
        }
        seen.set(seq);
        if (size == order.length) {
            order = java.util.Arrays.copyOf(order, size * 2);
        }
        order[size++] = seq;
    }

    boolean has(int seq) {
        return seen.get(seq);
    }

    long duplicates() {
        return duplicates;
    }

    /**
     * First arrivals, among {@code counted}, that came after a higher sequence number of
     * {@code counted}: messages out of order.
     */
    long outOfOrder(BitSet counted) {
        long bad = 0;
        int max = -1;
        for (int i = 0; i < size; i++) {
            int s = order[i];
            if (!counted.get(s)) {
                continue;
            }
            if (s < max) {
                bad++;
            } else {
                max = s;
            }
        }
        return bad;
    }
}
