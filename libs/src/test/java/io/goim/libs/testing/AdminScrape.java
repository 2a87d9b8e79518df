package io.goim.libs.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A test's view of a service's admin port: {@link #metrics} scrapes {@code /metrics} and
 * parses the Prometheus text format into samples; {@link #status} GETs a path.
 *
 * <pre>
 * # HELP goim_comet_connections ...
 * goim_comet_connections{service="comet"} 3.0
 * name{label="value",...} sample
 * </pre>
 */
public final class AdminScrape {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private AdminScrape() {
    }

    /** One parsed sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    /** The samples of one scrape. */
    public record Metrics(List<Sample> samples) {
        /**
         * The value of the one sample named {@code name} whose labels include
         * {@code labelPairs} (name, value, name, value...); fails if none matches.
         */
        public double value(String name, String... labelPairs) {
            for (Sample s : samples) {
                if (s.name.equals(name) && matches(s.labels, labelPairs)) {
                    return s.value;
                }
            }
            throw new AssertionError("no sample " + name + " " + List.of(labelPairs) + " in " + names());
        }

        public boolean has(String name) {
            return samples.stream().anyMatch(s -> s.name.equals(name));
        }

        private List<String> names() {
            return samples.stream().map(Sample::name).filter(n -> n.startsWith("goim_")).distinct().toList();
        }

        private static boolean matches(Map<String, String> labels, String[] pairs) {
            for (int i = 0; i + 1 < pairs.length; i += 2) {
                if (!pairs[i + 1].equals(labels.get(pairs[i]))) {
                    return false;
                }
            }
            return true;
        }
    }

    /** GETs {@code /metrics} on {@code port} and parses it; fails unless the answer is 200. */
    public static Metrics metrics(int port) throws IOException, InterruptedException {
        HttpResponse<String> res = get(port, "/metrics");
        if (res.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + res.statusCode() + ": " + res.body());
        }
        return parse(res.body());
    }

    /** The HTTP status of {@code GET path}. */
    public static int status(int port, String path) throws IOException, InterruptedException {
        return get(port, path).statusCode();
    }

    public static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Parses Prometheus text format (label values without escaped quotes or commas, as ours are). */
    public static Metrics parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name;
            Map<String, String> labels = new HashMap<>();
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                String body = line.substring(brace + 1, line.lastIndexOf('}'));
                for (String pair : body.split(",")) {
                    if (pair.isEmpty()) {
                        continue;
                    }
                    int eq = pair.indexOf('=');
                    labels.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
                }
            } else {
                name = line.substring(0, space);
            }
            samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
        }
        return new Metrics(samples);
    }
}
