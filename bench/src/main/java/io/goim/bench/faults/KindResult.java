package io.goim.bench.faults;

/**
 * One kind of push in one kill's window: pushes sent and accepted, the clients that were
 * connected throughout, what they should have got (accepted × clients), what they got, what
 * they lost, duplicates, room messages out of order, and the recovery time (restart to the
 * first delivery of a push sent after it; -1: none arrived).
 */
record KindResult(Push.Kind kind, int sent, int notAccepted, int accepted, int members, long expected,
        long delivered, long lost, long duplicates, long outOfOrder, long recoveryMillis) {

    static String header() {
        return String.format("%-8s %-9s %6s %8s %8s %7s %9s %9s %5s %5s %5s %9s", "kill", "push", "sent", "refused",
                "accepted", "clients", "expected", "delivered", "lost", "dups", "order", "recovery");
    }

    String row(String kill) {
        return String.format("%-8s %-9s %6d %8d %8d %7d %9d %9d %5d %5d %5d %9s", kill, kind.label(), sent, notAccepted,
                accepted, members, expected, delivered, lost, duplicates, outOfOrder,
                recoveryMillis < 0 ? "-" : recoveryMillis + " ms");
    }
}
