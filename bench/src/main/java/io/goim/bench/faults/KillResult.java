package io.goim.bench.faults;

import java.util.List;
import java.util.Map;

/**
 * One kill of the suite: which service, how long it took to be ready again after its
 * restart, the result per kind of push, the counters that moved in the window
 * ({@code name → delta}) and the clients that lost their connection (excluded); {@code end}: when the window ended (nanoTime).
 */
record KillResult(String service, long readyMillis, List<KindResult> kinds, Map<String, Double> counters,
        int reconnected, List<String> problems, long end) {

    long lost() {
        return kinds.stream().mapToLong(KindResult::lost).sum();
    }

    boolean ok() {
        return problems.isEmpty();
    }
}
