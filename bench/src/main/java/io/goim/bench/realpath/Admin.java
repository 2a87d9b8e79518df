package io.goim.bench.realpath;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A service's admin HTTP port: {@code /ready} and {@code /metrics} (Prometheus text).
 * Stateless apart from its HTTP client; thread-safe.
 */
public final class Admin {
    /**
     * goim's samples worth printing as "drops by reason": losses, give-ups, slow consumers,
     * errors, pauses, batching, in the name or a label ({@code goim_comet_pushes_total{outcome="dropped"}}),
     * and the histograms of how long a comet's room passes took and its room messages waited
     * for them ({@link Histograms}).
     */
    static final Pattern INTERESTING = Pattern.compile("goim_.*(drop|given_up|slow|protocol_error|timeout|lost|pause"
            + "|backpressure|batch|malformed|unknown_comet|push_room_pass_seconds|push_room_wait_seconds).*");

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;

    public Admin(String name, int port) {
        this.name = name;
        this.port = port;
    }

    public String name() {
        return name;
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(name + " " + path + ": HTTP " + r.statusCode());
        }
        return r.body();
    }

    public boolean ready() {
        try {
            get("/ready");
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Every sample of {@code /metrics} whose name matches {@link #INTERESTING} (or all with {@code all}). */
    public Map<String, Double> metrics(boolean all) throws IOException, InterruptedException {
        return parse(get("/metrics"), all);
    }

    /** The value of one sample ({@code name{labels}} exactly as exposed), or NaN. */
    public double metric(String sample) throws IOException, InterruptedException {
        return metrics(true).getOrDefault(sample, Double.NaN);
    }

    /** Parses Prometheus text: {@code name{labels} value} lines, comments skipped. */
    static Map<String, Double> parse(String text, boolean all) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            if (sp < 0) {
                continue;
            }
            String sample = line.substring(0, sp).trim();
            if (!all && !INTERESTING.matcher(sample).matches()) {
                continue;
            }
            try {
                m.put(sample, Double.parseDouble(line.substring(sp + 1).trim()));
            } catch (NumberFormatException e) {
                // Not a sample line; ignore.
            }
        }
        return m;
    }
}
