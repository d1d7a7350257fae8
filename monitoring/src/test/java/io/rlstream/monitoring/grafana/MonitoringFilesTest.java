package io.rlstream.monitoring.grafana;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.rlstream.config.ServiceConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Prometheus scrape config and the Grafana dashboard in monitoring/ are well-formed and agree with
 * the code: the scrape targets are the services' default ports, every panel uses the
 * ${DS_PROMETHEUS} datasource, and the panels ask for the metrics the operators need. That each
 * queried name is really exposed is checked against live endpoints (the demo module's DashboardMetricsIT).
 */
class MonitoringFilesTest {

    // Surefire runs in the module folder (monitoring/).
    static final Path MONITORING = Path.of(".");

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file)) {
            return new Yaml().load(r);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesEveryServiceAtItsDefaultPortEveryFiveSeconds() throws IOException {
        Map<String, Object> config = yaml(MONITORING.resolve("prometheus/prometheus.yml"));
        assertEquals("5s", ((Map<String, Object>) config.get("global")).get("scrape_interval"));
        Map<String, Integer> portByJob = new java.util.TreeMap<>();
        for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
            for (Map<String, Object> sc : (List<Map<String, Object>>) job.get("static_configs")) {
                for (String target : (List<String>) sc.get("targets")) {
                    portByJob.put((String) job.get("job_name"), Integer.parseInt(target.substring(target.lastIndexOf(':') + 1)));
                }
            }
        }
        assertEquals(Map.of("rlstream-demo", 9400,
                "rlstream-rewards", ServiceConfig.REWARDS_METRICS_PORT,
                "rlstream-worker", ServiceConfig.WORKER_METRICS_PORT,
                "rlstream-processors", ServiceConfig.PROCESSORS_METRICS_PORT,
                "rlstream-dispatcher", ServiceConfig.DISPATCHER_METRICS_PORT,
                "rlstream-trainer", ServiceConfig.TRAINER_METRICS_PORT), portByJob);
    }

    @Test
    void dashboardIsImportableWithAPrometheusDatasourceVariable() throws IOException {
        JsonNode d = GrafanaDashboard.read(MONITORING.resolve("grafana/rlstream-dashboard.json")).json();
        assertTrue(d.path("schemaVersion").asInt() >= 36, "schemaVersion " + d.path("schemaVersion"));
        assertTrue(d.path("uid").isTextual() && d.path("title").isTextual());
        JsonNode ds = null;
        for (JsonNode v : d.path("templating").path("list")) {
            if (v.path("name").asText().equals("DS_PROMETHEUS")) {
                ds = v;
            }
        }
        assertTrue(ds != null && ds.path("type").asText().equals("datasource") && ds.path("query").asText().equals("prometheus"),
                "a datasource variable DS_PROMETHEUS of type prometheus");
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : d.path("panels")) {
            String title = panel.path("title").asText();
            assertTrue(ids.add(panel.path("id").asInt()), "panel ids are unique: " + title);
            assertEquals("${DS_PROMETHEUS}", panel.path("datasource").path("uid").asText(), title);
            assertTrue(panel.path("targets").size() > 0, title + " has queries");
            for (JsonNode t : panel.path("targets")) {
                assertEquals("${DS_PROMETHEUS}", t.path("datasource").path("uid").asText(), title);
                assertTrue(t.path("expr").asText().contains("job=~\"$job\""), title + ": filtered by the job variable");
            }
            JsonNode pos = panel.path("gridPos");
            assertTrue(pos.path("w").asInt() > 0 && pos.path("x").asInt() + pos.path("w").asInt() <= 24, title + " fits the grid");
        }
    }

    @Test
    void dashboardReadsTheMetricsOperatorsNeed() throws IOException {
        Set<String> names = GrafanaDashboard.read(MONITORING.resolve("grafana/rlstream-dashboard.json")).metricNames();
        Set<String> missing = new TreeSet<>(List.of("rlstream_eval_accuracy", "rlstream_trainer_reward_mean",
                "rlstream_grouping_effective_ratio", "rlstream_trainer_staleness_mean", "rlstream_trainer_staleness_max",
                "rlstream_worker_samples_per_second", "rlstream_trainer_tokens_per_second", "rlstream_trainer_kl",
                "rlstream_trainer_entropy", "rlstream_trainer_loss", "rlstream_trainer_clip_fraction",
                "rlstream_trainer_is_weight_mean", "rlstream_trainer_is_weight_max", "rlstream_dispatch_in_flight",
                "kafka_consumer_fetch_manager_records_lag_max", "rlstream_reward_verifier_latency_seconds_bucket",
                "rlstream_reward_verifier_latency_seconds_sum", "rlstream_reward_verifier_latency_seconds_count",
                "rlstream_reward_dead_letters_records_total", "jvm_memory_used_bytes"));
        missing.removeAll(names);
        assertEquals(Set.of(), missing, "panels for these are missing; the dashboard reads " + names);
        // Label names are not metric names: client_id in "max by (client_id)" and area="heap" are not read as metrics.
        assertTrue(names.stream().noneMatch(n -> n.equals("kafka_version") || n.startsWith("client")), names.toString());
    }

    @Test
    @SuppressWarnings("unchecked")
    void grafanaProvisioningPointsAtTheDashboardFolderAndAPrometheusDatasource() throws IOException {
        Map<String, Object> ds = yaml(MONITORING.resolve("grafana/provisioning/datasources/rlstream-prometheus.yaml"));
        Map<String, Object> source = ((List<Map<String, Object>>) ds.get("datasources")).get(0);
        assertEquals("prometheus", source.get("type"));
        Map<String, Object> dashboards = yaml(MONITORING.resolve("grafana/provisioning/dashboards/rlstream.yaml"));
        Map<String, Object> provider = ((List<Map<String, Object>>) dashboards.get("providers")).get(0);
        assertEquals("file", provider.get("type"));
        assertTrue(((Map<String, Object>) provider.get("options")).containsKey("path"));
    }
}
