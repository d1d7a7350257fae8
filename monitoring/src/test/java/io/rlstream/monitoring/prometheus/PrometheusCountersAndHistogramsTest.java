package io.rlstream.monitoring.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.monitoring.metrics.MetricsPublisher;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.ExpositionText;
import io.rlstream.testkit.KafkaFixture;
import io.rlstream.testkit.PlainAvroSerdes;
import java.net.URI;
import java.util.Map;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Running totals as Prometheus counters ({@code _total}) and latencies as histograms in seconds,
 * read as a Prometheus server reads them: over HTTP from a real endpoint, published through the
 * real {@link MetricsPublisher} (its producer writes to the testkit broker). The deprecated gauges
 * keep their names for one release.
 */
public class PrometheusCountersAndHistogramsTest {

    private static KafkaFixture kafka;

    @BeforeAll
    static void up() {
        kafka = KafkaFixture.start();
        kafka.createTopics(TopicCatalog.defaults());
    }

    @AfterAll
    static void down() {
        kafka.close();
    }

    private static String scrape(PrometheusEndpoint endpoint, String accept) throws Exception {
        return PrometheusEndpointTest.get(endpoint.address().orElseThrow(), accept).body();
    }

    @Test
    void runningTotalsAreCountersEndingInTotalThatNeverGoDown() throws Exception {
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start("127.0.0.1", 0);
                MetricsPublisher metrics = new MetricsPublisher("reward-service", kafka.clientConfig(),
                        TopicCatalog.defaults(), new PlainAvroSerdes(), endpoint.registry())) {
            String counter = "rlstream_reward_scored_rollouts_total{source=\"reward-service\"}";
            String failed = "rlstream_reward_failed_rollouts_total{reason=\"timeout\",source=\"reward-service\"}";
            metrics.publish(MetricCatalog.REWARD_SCORED, 3);
            metrics.publish(MetricCatalog.REWARD_FAILED, 2, -1, -1, Map.of("reason", "timeout"));
            metrics.publish(MetricCatalog.WORKER_ROLLOUTS, 8); // a gauge: no counter
            String first = scrape(endpoint, null);
            Map<String, Double> a = ExpositionText.parse(first);
            assertEquals("counter", ExpositionText.types(first).get("rlstream_reward_scored_rollouts_total"), first);
            assertEquals(3.0, a.get(counter), a.toString());
            assertEquals(2.0, a.get(failed));
            assertNull(a.get("rlstream_worker_rollouts_samples_total{source=\"reward-service\"}"), "a gauge has no counter");

            metrics.publish(MetricCatalog.REWARD_SCORED, 7);
            Map<String, Double> b = ExpositionText.parse(scrape(endpoint, null));
            assertEquals(7.0, b.get(counter), "the counter follows the published total");
            // A total published lower (a retried transaction's report) leaves the counter where it
            // was: a counter that went down would read as a restart to rate().
            metrics.publish(MetricCatalog.REWARD_SCORED, 5);
            String third = scrape(endpoint, null);
            Map<String, Double> c = ExpositionText.parse(third);
            assertEquals(7.0, c.get(counter), "monotonic across scrapes");

            // The deprecated gauges, same name as before, hold the latest value as they always did.
            assertEquals("gauge", ExpositionText.types(third).get("rlstream_reward_scored"));
            assertEquals(5.0, c.get("rlstream_reward_scored{source=\"reward-service\"}"));
            assertEquals(2.0, c.get("rlstream_reward_failed{reason=\"timeout\",source=\"reward-service\"}"));
            assertEquals(8.0, c.get("rlstream_worker_rollouts{source=\"reward-service\"}"));

            // OpenMetrics (what Prometheus asks for): the counter family is the name without
            // _total, which is why the unit sits between: the old gauge keeps rlstream_reward_scored.
            String open = scrape(endpoint, "application/openmetrics-text;version=1.0.0");
            assertEquals("counter", ExpositionText.types(open).get("rlstream_reward_scored_rollouts"), open);
            assertEquals("gauge", ExpositionText.types(open).get("rlstream_reward_scored"));
            assertEquals(7.0, ExpositionText.parse(open).get(counter));
        }
    }

    @Test
    void verifierLatenciesAreAHistogramInSecondsWithFixedBuckets() throws Exception {
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start("127.0.0.1", 0)) {
            LongConsumer latency = LatencyHistograms.millis(endpoint.registry(),
                    MetricCatalog.REWARD_VERIFIER_LATENCY_HISTOGRAM, "reward-service", "Time of each verification.");
            for (long ms : new long[] {3, 3, 40, 700}) {
                latency.accept(ms);
            }
            String text = scrape(endpoint, null);
            Map<String, Double> s = ExpositionText.parse(text);
            String name = "rlstream_reward_verifier_latency_seconds";
            assertEquals("histogram", ExpositionText.types(text).get(name), text);
            // By hand: 3, 3, 40 and 700 ms against the bounds in seconds; cumulative counts.
            Map<String, Double> expected = Map.ofEntries(Map.entry("0.001", 0.0), Map.entry("0.002", 0.0),
                    Map.entry("0.005", 2.0), Map.entry("0.01", 2.0), Map.entry("0.025", 2.0), Map.entry("0.05", 3.0),
                    Map.entry("0.1", 3.0), Map.entry("0.25", 3.0), Map.entry("0.5", 3.0), Map.entry("1.0", 4.0),
                    Map.entry("2.5", 4.0), Map.entry("5.0", 4.0), Map.entry("10.0", 4.0), Map.entry("30.0", 4.0),
                    Map.entry("60.0", 4.0), Map.entry("+Inf", 4.0));
            expected.forEach((le, n) -> assertEquals(n,
                    s.get(name + "_bucket{source=\"reward-service\",le=\"" + le + "\"}"), "bucket le=" + le + " in " + s));
            assertEquals(4.0, s.get(name + "_count{source=\"reward-service\"}"));
            assertEquals(0.746, s.get(name + "_sum{source=\"reward-service\"}"), 1e-9, "3 + 3 + 40 + 700 ms");
        }
    }

    @Test
    void theDeprecatedLatencyGaugesStayBesideTheHistogram() throws Exception {
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start("127.0.0.1", 0);
                MetricsPublisher metrics = new MetricsPublisher("reward-service", kafka.clientConfig(),
                        TopicCatalog.defaults(), new PlainAvroSerdes(), endpoint.registry())) {
            LatencyHistograms.millis(endpoint.registry(), MetricCatalog.REWARD_VERIFIER_LATENCY_HISTOGRAM,
                    "reward-service", "Time of each verification.").accept(20);
            metrics.publish(MetricCatalog.REWARD_VERIFIER_LATENCY_MS_MEAN, 20);
            metrics.publish(MetricCatalog.REWARD_VERIFIER_LATENCY_MS_MAX, 20);
            Map<String, Double> s = ExpositionText.parse(scrape(endpoint, null));
            assertEquals(20.0, s.get("rlstream_reward_verifier_latency_ms_mean{source=\"reward-service\"}"));
            assertEquals(20.0, s.get("rlstream_reward_verifier_latency_ms_max{source=\"reward-service\"}"));
            assertEquals(1.0, s.get("rlstream_reward_verifier_latency_seconds_count{source=\"reward-service\"}"));
            // No counter for a gauge, and the old names are not counters.
            assertFalse(s.keySet().stream().anyMatch(k -> k.startsWith("rlstream_reward_verifier_latency_ms_mean_")));
        }
    }
}
