package io.rlstream.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.Prompt;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.testkit.ExpositionText;
import io.rlstream.monitoring.prometheus.PrometheusEndpoint;
import io.rlstream.reward.stream.RewardTopologyTest;
import io.rlstream.schemas.RegistrySerdes;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.KafkaFixture;
import io.rlstream.testkit.RegistryFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reward service on the real broker and registry, scraped over HTTP as Prometheus would:
 * its Kafka Streams metrics (stream threads, the embedded consumer and producer) and its
 * rlstream_reward_* gauges with the values the service counted.
 */
class RewardServicePrometheusIT {

    @Test
    void scrapeShowsKafkaStreamsMetricsAndTheRewardGauges(@TempDir Path state) throws Exception {
        TopicCatalog catalog = new TopicCatalog("rp.", 1);
        RegistrySerdes serdes = RegistryFixture.serdes();
        try (KafkaFixture kafka = KafkaFixture.start();
                PrometheusEndpoint prometheus = PrometheusEndpoint.start("127.0.0.1", 0)) {
            kafka.createTopics(catalog);
            try (KafkaProducer<String, Prompt> prompts = new KafkaProducer<>(kafka.clientConfig(), new StringSerializer(),
                    serdes.serde(Prompt.class).serializer())) {
                prompts.send(new ProducerRecord<>(catalog.name(Topic.PROMPTS), "p1", Prompt.newBuilder().setPromptId("p1")
                        .setText("37+48=").setReferenceAnswer("85").setCreatedAt(Instant.EPOCH).build())).get();
            }
            Map<String, Object> settings = new HashMap<>();
            settings.put("bootstrap.servers", kafka.bootstrapServers());
            settings.put("registry.url", RegistryFixture.url());
            settings.put("topic.prefix", "rp.");
            settings.put("group.partitions", "1");
            settings.put(RewardServiceConfig.STATE_DIR, state.toString());
            try (RewardService service = new RewardService(new RewardServiceConfig(settings), prometheus.registry())) {
                service.start();
                try (KafkaProducer<String, Rollout> rollouts = new KafkaProducer<>(kafka.clientConfig(),
                        new StringSerializer(), serdes.serde(Rollout.class).serializer())) {
                    rollouts.send(new ProducerRecord<>(catalog.name(Topic.ROLLOUTS), "g1",
                            RewardTopologyTest.rollout("g1", 0, "p1", "85", SampleStatus.OK))).get();
                    rollouts.send(new ProducerRecord<>(catalog.name(Topic.ROLLOUTS), "g1",
                            RewardTopologyTest.rollout("g1", 1, "p1", "58", SampleStatus.OK))).get();
                }
                // The service reports every 5 s, the binders pick up new Kafka metrics every 5 s.
                URI uri = prometheus.address().orElseThrow();
                long deadline = System.currentTimeMillis() + 90_000;
                Map<String, Double> samples = Map.of();
                while (System.currentTimeMillis() < deadline) {
                    samples = ExpositionText.parse(HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                            HttpResponse.BodyHandlers.ofString()).body());
                    if (Double.valueOf(2.0).equals(samples.get("rlstream_reward_scored{source=\"reward-service\"}"))
                            && ExpositionText.names(samples).contains("kafka_stream_thread_process_rate")) {
                        break;
                    }
                    Thread.sleep(1000);
                }
                assertEquals(2.0, samples.get("rlstream_reward_scored{source=\"reward-service\"}"), "two rollouts scored; rlstream gauges: "
                        + samples.keySet().stream().filter(k -> k.startsWith("rlstream_")).toList());
                assertEquals(1.0, samples.get("rlstream_reward_correct{source=\"reward-service\"}"), "85 is right, 58 is not");
                assertTrue(samples.containsKey("rlstream_reward_verifier_latency_ms_mean{source=\"reward-service\"}"));
                // The same total as a counter, and each of the two verifications in the latency histogram.
                assertEquals(2.0, samples.get("rlstream_reward_scored_rollouts_total{source=\"reward-service\"}"));
                assertEquals(1.0, samples.get("rlstream_reward_correct_rollouts_total{source=\"reward-service\"}"));
                assertEquals(2.0, samples.get("rlstream_reward_verifier_latency_seconds_count{source=\"reward-service\"}"));
                assertEquals(2.0, samples.get("rlstream_reward_verifier_latency_seconds_bucket{source=\"reward-service\",le=\"+Inf\"}"));
                var names = ExpositionText.names(samples);
                for (String kafkaMetric : new String[] {"kafka_stream_thread_process_rate", "kafka_consumer_fetch_manager_records_lag_max",
                        "kafka_producer_record_send_total", "jvm_memory_used_bytes"}) {
                    assertTrue(names.contains(kafkaMetric), kafkaMetric + " is scraped");
                }
            }
        }
    }
}
