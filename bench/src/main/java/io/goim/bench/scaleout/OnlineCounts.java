package io.goim.bench.scaleout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks {@code /1/count} (room and server) on every logic against the connections the
 * suite holds. Logic answers from a snapshot it refreshes every {@code logic.count-refresh}
 * (1 s), so a check polls until every logic agrees or {@code within} passes, and says how
 * long it took.
 */
final class OnlineCounts {
    /** A checkpoint's outcome: how long until right, or what was last seen when it never was. */
    record Check(String checkpoint, boolean ok, long millis, String detail) {
        String line() {
            return String.format("/1/count at %-14s %s after %5d ms: %s", checkpoint, ok ? "right" : "WRONG", millis, detail);
        }
    }

    private static final Pattern ROOM = Pattern.compile("\\{\"RoomId\":(\\d+),\"Count\":(\\d+)}");
    private static final Pattern SERVER = Pattern.compile("\\{\"Server\":(\\d+),\"Count\":(\\d+)}");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<URI> logics;
    private final Duration within;

    /** What the comets themselves count, for the message of a wrong count. */
    private final java.util.function.Supplier<String> cometsSay;

    OnlineCounts(List<URI> logics, Duration within, java.util.function.Supplier<String> cometsSay) {
        this.logics = List.copyOf(logics);
        this.within = within;
        this.cometsSay = cometsSay;
    }

    /** Waits until every logic's room and server counts equal those of {@code connected}. */
    Check check(String checkpoint, List<Subscriber> connected) throws InterruptedException {
        Map<Long, Long> rooms = new TreeMap<>();
        Map<Long, Long> servers = new TreeMap<>();
        for (Subscriber s : connected) {
            if (s.room >= 0) {
                rooms.merge(s.room, 1L, Long::sum);
            }
            servers.merge((long) s.comet + 1, 1L, Long::sum);
        }
        long start = System.nanoTime();
        String last = "";
        while (true) {
            boolean ok = true;
            for (URI logic : logics) {
                try {
                    Map<Long, Long> r = get(logic, "room", ROOM);
                    Map<Long, Long> v = get(logic, "server", SERVER);
                    if (!r.equals(rooms) || !v.equals(servers)) {
                        ok = false;
                        last = logic.getPort() + ": rooms " + r + " servers " + v;
                    }
                } catch (IOException e) {
                    ok = false;
                    last = logic.getPort() + ": " + e;
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (ok) {
                return new Check(checkpoint, true, millis, connected.size() + " connections, rooms " + rooms + ", servers "
                        + servers + " on " + logics.size() + " logic(s)");
            }
            if (millis > within.toMillis()) {
                return new Check(checkpoint, false, millis, "expected rooms " + rooms + " servers " + servers + "; "
                        + last + "; the comets count " + cometsSay.get());
            }
            Thread.sleep(100); // the snapshot's refresh pace
        }
    }

    private Map<Long, Long> get(URI logic, String type, Pattern entry) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(logic.resolve("/1/count?type=" + type))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode() + " " + r.body());
        }
        Map<Long, Long> m = new TreeMap<>();
        Matcher x = entry.matcher(r.body());
        while (x.find()) {
            m.put(Long.parseLong(x.group(1)), Long.parseLong(x.group(2)));
        }
        return m;
    }
}
