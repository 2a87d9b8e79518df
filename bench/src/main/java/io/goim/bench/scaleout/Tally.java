package io.goim.bench.scaleout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What reached whom, for the pushes accepted in one window of time, per kind: a push is
 * owed to every connection it is for ({@link Push#isFor}) that was authenticated when it
 * was sent and stayed connected; {@code lost} are owed deliveries that did not happen,
 * {@code duplicates} extra arrivals of a push at one connection, {@code wrong} arrivals at
 * a connection the push was not for (any push sent in the window, accepted or not).
 */
final class Tally {
    /** One kind's figures in one window. */
    record Row(Push.Kind kind, int sent, int accepted, long owed, long delivered, long duplicates, long wrong) {
        long lost() {
            return owed - delivered;
        }

        static String header() {
            return String.format("%-14s %-9s %6s %8s %9s %9s %5s %5s %5s", "scenario", "kind", "sent", "accepted",
                    "owed", "delivered", "lost", "dup", "wrong");
        }

        String line(String scenario) {
            return String.format("%-14s %-9s %6d %8d %9d %9d %5d %5d %5d", scenario, kind.label(), sent, accepted, owed,
                    delivered, lost(), duplicates, wrong);
        }
    }

    private Tally() {
    }

    /**
     * The rows of the window [{@code from}, {@code to}) ({@link System#nanoTime}): pushes
     * accepted in it are counted as owed; every push sent in it is checked for wrong arrivals.
     */
    static List<Row> window(long from, long to, Map<Push.Kind, List<Pusher.Sent>> sent, List<Subscriber> subscribers) {
        List<Map<Long, Integer>> received = subscribers.stream().map(Subscriber::received).toList();
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<Push.Kind, List<Pusher.Sent>> e : sent.entrySet()) {
            int sentCount = 0;
            int accepted = 0;
            long owed = 0;
            long delivered = 0;
            long duplicates = 0;
            long wrong = 0;
            for (Pusher.Sent p : e.getValue()) {
                boolean sentIn = p.sentAt() >= from && p.sentAt() < to;
                boolean acceptedIn = p.accepted() && p.acceptedAt() >= from && p.acceptedAt() < to;
                if (sentIn) {
                    sentCount++;
                }
                if (acceptedIn) {
                    accepted++;
                }
                long key = Subscriber.key(p.push().kind(), p.push().seq());
                for (int i = 0; i < subscribers.size(); i++) {
                    Subscriber s = subscribers.get(i);
                    int times = received.get(i).getOrDefault(key, 0);
                    boolean isFor = p.push().isFor(s.uid, s.room);
                    if (acceptedIn && isFor && s.upSince(p.sentAt())) {
                        owed++;
                        if (times > 0) {
                            delivered++;
                        }
                    }
                    if (acceptedIn && times > 1) {
                        duplicates += times - 1;
                    }
                    if (sentIn && !isFor && times > 0) {
                        wrong += times;
                    }
                }
            }
            rows.add(new Row(e.getKey(), sentCount, accepted, owed, delivered, duplicates, wrong));
        }
        return rows;
    }

    /** Deliveries owed for pushes accepted up to {@code to} that have not happened yet. */
    static long missing(long to, Map<Push.Kind, List<Pusher.Sent>> sent, List<Subscriber> subscribers) {
        long missing = 0;
        for (Row r : window(Long.MIN_VALUE, to, sent, subscribers)) {
            missing += r.lost();
        }
        return missing;
    }
}
