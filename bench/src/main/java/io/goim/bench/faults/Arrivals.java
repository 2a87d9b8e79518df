package io.goim.bench.faults;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * When each push first reached any client ({@link System#nanoTime}), per kind: the
 * recovery time after a restart is read from it. Thread-safe; one entry per push.
 */
final class Arrivals {
    private final ConcurrentMap<Integer, Long>[] first;

    @SuppressWarnings("unchecked")
    Arrivals() {
        first = new ConcurrentMap[Push.Kind.values().length];
        for (int i = 0; i < first.length; i++) {
            first[i] = new ConcurrentHashMap<>();
        }
    }

    void arrived(Push p) {
        first[p.kind().ordinal()].putIfAbsent(p.seq(), System.nanoTime());
    }

    /** The earliest first arrival of a push of {@code kind} numbered {@code fromSeq} or more, or -1. */
    long earliestFrom(Push.Kind kind, int fromSeq) {
        long best = -1;
        for (var e : first[kind.ordinal()].entrySet()) {
            if (e.getKey() >= fromSeq && (best < 0 || e.getValue() < best)) {
                best = e.getValue();
            }
        }
        return best;
    }
}
