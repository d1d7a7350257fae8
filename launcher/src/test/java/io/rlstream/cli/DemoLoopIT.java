package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.demo.Demo;
import io.rlstream.demo.DemoSettings;
import io.rlstream.events.Metric;
import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.KafkaFixture;
import io.rlstream.testkit.RegistryFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton's proof: a shorter demo through the real broker and the real registry,
 * every service talking only through topics, must raise held-out greedy accuracy (prompts never
 * trained on) by at least 20 points over the warm start. Not a smoke test: a pipeline that ran
 * but did not learn (wrong advantages, stale weights never reloaded, batches lost) fails here.
 */
class DemoLoopIT {

    static final double REQUIRED_GAIN = 0.20;

    @Test
    void reinforcementLearningThroughKafkaRaisesHeldOutAccuracyByTwentyPoints(@TempDir Path runDir) throws Exception {
        DemoSettings settings = DemoSettings.defaults(runDir)
                // 6 minutes: runs from a weak warm start (about 18%) learn slower; one reached only 36% at 300 s
                .withBudget(Duration.ofMinutes(6))
                // Stop as soon as the gain is clear. The gain is judged on the newest checkpoint at
                // the stop, not on the evaluation that reached the target, and neighbouring
                // checkpoints differ by several points: one CI run stopped at 55.0% (step 100) and
                // its newest checkpoint (step 105) scored 47.4%, +19.6 from 27.8%. 60% from a warm
                // start of at most 35% leaves that much room. Seed 7's warm start measured 21.6% to
                // 27.8% (oneDNN is not bitwise reproducible); 65% took another minute of CI's 25.
                .withTarget(0.60);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new TeeStream(console, System.out), true, StandardCharsets.UTF_8);
        Demo.Result result;
        Set<String> uncatalogued = new TreeSet<>();
        Set<String> sources = new TreeSet<>();
        try (KafkaFixture kafka = KafkaFixture.start()) {
            result = new Demo(settings, kafka.bootstrapServers(), RegistryFixture.url(), out).run();
            for (Metric m : readAll(kafka, TopicCatalog.defaults().name(Topic.METRICS), Metric.class)) {
                sources.add(m.getSource());
                if (MetricCatalog.find(m.getName()).filter(e -> e.source().equals(m.getSource())).isEmpty()) {
                    uncatalogued.add(m.getSource() + " " + m.getName());
                }
            }
        }
        // Every name a real run writes is in the one catalogue the README, dashboard and Grafana read.
        assertTrue(uncatalogued.isEmpty(), "metrics missing from MetricCatalog (source name): " + uncatalogued);
        assertEquals(Set.of("demo", "dispatcher", "grouping", "reward-service", "rollout-worker", "trainer"), sources);
        String log = console.toString(StandardCharsets.UTF_8);
        assertTrue(result.initialAccuracy() <= 0.35, "warm start should leave room to learn: " + result.initialAccuracy());
        assertTrue(result.finalAccuracy() - result.initialAccuracy() >= REQUIRED_GAIN, String.format(
                "held-out accuracy went %.3f -> %.3f in %d steps; expected a gain of at least %.2f%n%s",
                result.initialAccuracy(), result.finalAccuracy(), result.steps(), REQUIRED_GAIN, log));
        assertTrue(result.steps() > 0);
        assertTrue(log.contains("step    1 | policy v1"), "one line per training step is printed");
        for (String file : List.of("metrics.csv", "eval.csv", "summary.txt", "learning-curve.png", "train.jsonl")) {
            assertTrue(Files.size(runDir.resolve(file)) > 0, file + " written");
        }
        assertTrue(Files.readAllLines(runDir.resolve("metrics.csv")).size() >= 2, "a metrics row per step");
    }

    static <T extends org.apache.avro.specific.SpecificRecord> List<T> readAll(KafkaFixture kafka, String topic,
            Class<T> type) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<T> all = new ArrayList<>();
        try (KafkaConsumer<String, T> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                RegistryFixture.serdes().serde(type).deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> all.add(r.value()));
            }
        }
        return all;
    }
}
