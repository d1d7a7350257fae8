package io.rlstream.testkit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the Prometheus text exposition (0.0.4 or OpenMetrics) into sample → value, the sample
 * written as the scrape writes it: {@code name{label="value",...}}. Enough for tests; not a
 * full parser (no escaped quotes in label values, timestamps ignored). The tests of every module
 * that scrapes an endpoint read it with this, so it lives with the endpoint.
 */
public final class ExpositionText {

    private ExpositionText() {
    }

    public static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int split = line.lastIndexOf('}');
            split = split < 0 ? line.indexOf(' ') : split + 1;
            String sample = line.substring(0, split).trim();
            String[] rest = line.substring(split).trim().split(" ");
            samples.put(sample, value(rest[0]));
        }
        return samples;
    }

    /** The {@code # TYPE} lines: metric family → counter, gauge, histogram, summary, ... */
    public static Map<String, String> types(String text) {
        Map<String, String> types = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring("# TYPE ".length()).trim().split(" ");
                types.put(parts[0], parts[1]);
            }
        }
        return types;
    }

    /** The metric names of the samples (the part before the labels). */
    public static Set<String> names(Map<String, Double> samples) {
        Set<String> names = new TreeSet<>();
        samples.keySet().forEach(s -> names.add(s.contains("{") ? s.substring(0, s.indexOf('{')) : s));
        return names;
    }

    private static double value(String v) {
        return switch (v) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }
}
