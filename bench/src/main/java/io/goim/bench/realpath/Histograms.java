package io.goim.bench.realpath;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The services' Prometheus histograms ({@code <name>_seconds_bucket{le="…"}}, {@code _count},
 * {@code _sum}) over a window, read from {@link Window#delta}'s changes: how many, the mean,
 * and the p50 and p99 as the upper bound of the bucket they fall in. Used for the comet's
 * room passes and the waits of its room messages, which split a delivery's latency into
 * what the comet adds and what came before it.
 */
final class Histograms {
    /**
     * {@code <service> <name>_seconds_bucket{<labels>,le="<bound>"} +}, as {@link Window#delta}
     * keys a bucket's change (the services tag every sample with {@code service="…"}).
     */
    private static final Pattern BUCKET = Pattern.compile("(.+)_seconds_bucket\\{(.*?),?le=\"([^\"]+)\"} \\+");

    private Histograms() {
    }

    /** Whether {@code key} (a {@link Window#delta} key) is part of a histogram, which {@link #summaries} prints. */
    static boolean part(String key) {
        return key.contains("_seconds_bucket") || key.contains("_seconds_count") || key.contains("_seconds_sum")
                || key.contains("_seconds_max");
    }

    /** One line per histogram that changed in the window. */
    static List<String> summaries(Map<String, Double> delta) {
        Map<String, TreeMap<Double, Double>> buckets = new TreeMap<>();
        delta.forEach((k, v) -> {
            Matcher m = BUCKET.matcher(k);
            if (m.matches()) {
                String labels = m.group(2).isEmpty() ? "" : "{" + m.group(2) + "}";
                buckets.computeIfAbsent(m.group(1) + "\t" + labels, n -> new TreeMap<>()).put(bound(m.group(3)), v);
            }
        });
        List<String> lines = new ArrayList<>();
        buckets.forEach((series, cumulative) -> {
            String name = series.substring(0, series.indexOf('\t'));
            String labels = series.substring(series.indexOf('\t') + 1);
            double count = delta.getOrDefault(name + "_seconds_count" + labels + " +", 0.0);
            double sum = delta.getOrDefault(name + "_seconds_sum" + labels + " +", 0.0);
            if (count > 0) {
                lines.add(String.format(Locale.ROOT, "%s%s: %,.0f in the window, mean %.1f ms, p50 ≤ %s, p99 ≤ %s", name, labels,
                        count, 1000 * sum / count, quantile(cumulative, count, 0.50), quantile(cumulative, count, 0.99)));
            }
        });
        return lines;
    }

    private static double bound(String le) {
        return le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
    }

    /** The upper bound of the first bucket holding at least {@code q} of {@code count}, in ms. */
    static String quantile(TreeMap<Double, Double> cumulative, double count, double q) {
        for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            if (e.getValue() >= q * count) {
                return e.getKey().isInfinite() ? "+Inf" : String.format(Locale.ROOT, "%.1f ms", 1000 * e.getKey());
            }
        }
        return "?";
    }
}
