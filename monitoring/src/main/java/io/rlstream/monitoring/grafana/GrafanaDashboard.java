package io.rlstream.monitoring.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Grafana dashboard of monitoring/grafana/rlstream-dashboard.json as data: its panels' PromQL
 * queries and the metric names they read, so tests can check them against what the services
 * really expose.
 */
public record GrafanaDashboard(JsonNode json) {

    /** Where the dashboard lives, relative to the repository root. */
    public static final String FILE = "monitoring/grafana/rlstream-dashboard.json";

    /**
     * Metric names in PromQL, recognised by the prefixes our endpoints write: rlstream_ (the
     * Metric events), kafka_ (Kafka client and Streams metrics), jvm_, process_, system_.
     */
    private static final Pattern METRIC = Pattern.compile("\\b(?:rlstream|kafka|jvm|process|system)_[A-Za-z0-9_]+\\b");
    /** Label matchers {..}, grouping clauses by (..)/without (..) and legend templates hold label names, not metrics. */
    private static final Pattern NOT_METRICS = Pattern.compile("\\{[^}]*}|\\b(?:by|without|on|ignoring)\\s*\\([^)]*\\)");

    public static GrafanaDashboard read(Path file) throws IOException {
        return new GrafanaDashboard(new ObjectMapper().readTree(file.toFile()));
    }

    /** Every query expression of every panel. */
    public List<String> expressions() {
        List<String> out = new ArrayList<>();
        for (JsonNode panel : json.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                if (target.hasNonNull("expr")) {
                    out.add(target.get("expr").asText());
                }
            }
        }
        return out;
    }

    /** The metric names the queries read (the job variable's label_values query included). */
    public Set<String> metricNames() {
        Set<String> names = new TreeSet<>();
        List<String> exprs = new ArrayList<>(expressions());
        for (JsonNode variable : json.path("templating").path("list")) {
            if (variable.path("definition").isTextual()) {
                exprs.add(variable.get("definition").asText().replaceAll(",\\s*\\w+\\)$", ")"));
            }
        }
        for (String expr : exprs) {
            Matcher m = METRIC.matcher(NOT_METRICS.matcher(expr).replaceAll(" "));
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }
}
