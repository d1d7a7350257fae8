package io.rlstream.monitoring.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.testkit.ExpositionText;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The endpoint over real HTTP: what a Prometheus server scraping it would read. */
public class PrometheusEndpointTest {

    public static HttpResponse<String> get(URI uri, String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        if (accept != null) {
            request.header("Accept", accept);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void publishedValuesAreLatestValueGaugesNamedRlstreamWithSourceAndTags() throws Exception {
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start("127.0.0.1", 0)) {
            LatestValueGauges gauges = new LatestValueGauges(endpoint.registry(), "trainer");
            gauges.record("trainer.loss", 0.75, Map.of());
            gauges.record("trainer.loss", 0.25, Map.of()); // the latest value wins
            gauges.record("reward.failed", 3, Map.of("reason", "timeout"));
            gauges.record("reward.failed", 1, Map.of("reason", "no answer"));
            // A name Prometheus would reject is sanitised by Micrometer's naming convention.
            gauges.record("selector.pass-rate/window", 0.5, Map.of());

            URI uri = endpoint.address().orElseThrow();
            assertTrue(uri.toString().matches("http://127\\.0\\.0\\.1:\\d+/metrics"), uri.toString());
            HttpResponse<String> response = get(uri, null);
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            Map<String, Double> samples = ExpositionText.parse(response.body());
            assertEquals(0.25, samples.get("rlstream_trainer_loss{source=\"trainer\"}"), samples.toString());
            assertEquals(3.0, samples.get("rlstream_reward_failed{reason=\"timeout\",source=\"trainer\"}"));
            assertEquals(1.0, samples.get("rlstream_reward_failed{reason=\"no answer\",source=\"trainer\"}"));
            assertEquals(0.5, samples.get("rlstream_selector_pass_rate_window{source=\"trainer\"}"), samples.keySet().toString());
            // The JVM binders are there: heap in use per pool, GC, threads, CPU.
            assertTrue(ExpositionText.names(samples).containsAll(java.util.List.of("jvm_memory_used_bytes",
                    "jvm_threads_live_threads", "process_cpu_usage", "system_cpu_count")), samples.keySet().toString());
        }
    }

    @Test
    void prometheusAskingForOpenMetricsGetsIt() throws Exception {
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start("127.0.0.1", 0)) {
            new LatestValueGauges(endpoint.registry(), "rewards").record("reward.scored", 12, Map.of());
            // Prometheus 2.x/3.x's default scrape Accept header.
            HttpResponse<String> response = get(endpoint.address().orElseThrow(),
                    "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
            assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
            assertTrue(response.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
            assertEquals(12.0, ExpositionText.parse(response.body()).get("rlstream_reward_scored{source=\"rewards\"}"));
        }
    }

    @Test
    void otherPathsAndMethodsAreRefused() throws Exception {
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start("127.0.0.1", 0)) {
            URI uri = endpoint.address().orElseThrow();
            assertEquals(404, get(uri.resolve("/metricsx"), null).statusCode());
            HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
        }
    }

    @Test
    void portMinusOneRecordsWithoutServing() {
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start("127.0.0.1", PrometheusEndpoint.OFF)) {
            assertFalse(endpoint.address().isPresent());
            new LatestValueGauges(endpoint.registry(), "worker").record("worker.rollouts", 8, Map.of());
            assertTrue(endpoint.registry().scrape().contains("rlstream_worker_rollouts{source=\"worker\"} 8.0"));
        }
    }

    @Test
    void aPortInUseIsAClearError() {
        try (PrometheusEndpoint first = PrometheusEndpoint.start("127.0.0.1", 0)) {
            int port = first.address().orElseThrow().getPort();
            var e = assertThrows(UncheckedIOException.class, () -> PrometheusEndpoint.start("127.0.0.1", port));
            assertTrue(e.getMessage().contains("127.0.0.1:" + port) && e.getMessage().contains("metrics.port"), e.getMessage());
        }
    }
}
