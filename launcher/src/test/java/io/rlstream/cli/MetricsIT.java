package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.StepSummary;
import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.monitoring.metrics.MetricsPublisher;
import io.rlstream.monitoring.summary.StepSummaryApp;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.processors.grouping.GroupingApp;
import io.rlstream.schemas.RegistrySerdes;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.KafkaFixture;
import io.rlstream.testkit.RegistryFixture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics streams on a real broker and registry: the step-summary app rolls rl.metrics up
 * per step exactly once across a restart, and {@code rlstream metrics tail|steps} print them.
 */
class MetricsIT {

    private static final TopicCatalog CATALOG = TopicCatalog.defaults();

    @TempDir
    Path stateDir;

    @Test
    void stepSummariesCountEveryMetricOnceAcrossARestartAndTheCommandsPrintThem() throws Exception {
        try (KafkaFixture kafka = KafkaFixture.start()) {
            kafka.createTopics(CATALOG);
            Map<String, String> settings = Map.of("bootstrap.servers", kafka.bootstrapServers(),
                    "registry.url", RegistryFixture.url(), "processors.state.dir", stateDir.toString(),
                    "summary.emit.interval.ms", "200");
            ProcessorsConfig config = new ProcessorsConfig(settings);
            RegistrySerdes serdes = RegistryFixture.serdes();
            Map<String, Object> client = new HashMap<>(config.clientProps());
            try (MetricsPublisher trainer = new MetricsPublisher("trainer", client, CATALOG, serdes);
                    MetricsPublisher worker = new MetricsPublisher("rollout-worker", client, CATALOG, serdes)) {
                // step 1: loss 0.5, then the worker reports 8 and 6 samples (they belong to step 1)
                trainer.publish(MetricCatalog.TRAINER_LOSS, 0.5, 1, 1, Map.of());
                trainer.flush();
                worker.publish(MetricCatalog.WORKER_ROLLOUTS, 8, -1, 1, Map.of("worker", "w0"));
                worker.publish(MetricCatalog.WORKER_ROLLOUTS, 6, -1, 1, Map.of("worker", "w0"));
                worker.flush();

                try (StepSummaryApp app = GroupingApp.stepSummaries(config, null)) {
                    app.start();
                    StepSummary one = await(kafka, "1", s -> s.getMetrics().containsKey("worker.rollouts{worker=w0}")
                            && s.getMetrics().get("worker.rollouts{worker=w0}").getCount() == 2);
                    assertEquals(14, one.getMetrics().get("worker.rollouts{worker=w0}").getSum());
                }
                // while it is down: one more report for step 1, then step 2
                worker.publish(MetricCatalog.WORKER_ROLLOUTS, 2, -1, 1, Map.of("worker", "w0"));
                worker.flush();
                trainer.publish(MetricCatalog.TRAINER_LOSS, 0.25, 2, 2, Map.of());
                trainer.flush();
                try (StepSummaryApp app = GroupingApp.stepSummaries(config, null)) {
                    app.start();
                    StepSummary two = await(kafka, "2", s -> s.getMetrics().containsKey("trainer.loss"));
                    assertEquals(0.25, two.getMetrics().get("trainer.loss").getLast());
                    StepSummary one = await(kafka, "1", s -> s.getMetrics().get("worker.rollouts{worker=w0}")
                            .getCount() >= 3);
                    // 8 + 6 + 2: the restart neither lost the first two nor counted them again
                    assertEquals(3, one.getMetrics().get("worker.rollouts{worker=w0}").getCount());
                    assertEquals(16, one.getMetrics().get("worker.rollouts{worker=w0}").getSum());
                    assertEquals(0.5, one.getMetrics().get("trainer.loss").getLast());
                }
            }

            List<String> cluster = List.of("--bootstrap-server", kafka.bootstrapServers(), "--registry-url",
                    RegistryFixture.url());
            String tail = run(concat(List.of("tail", "--filter", "trainer"), cluster));
            List<String> lines = tail.lines().toList();
            assertEquals(2, lines.size(), tail);
            assertTrue(lines.get(0).contains("trainer.loss") && lines.get(0).contains("0.5000")
                    && lines.get(0).contains("step 1"), lines.get(0));
            assertTrue(lines.get(1).contains("0.2500") && lines.get(1).contains("step 2"), lines.get(1));

            String lastOne = run(concat(List.of("tail", "--filter", "worker.*", "--last", "1", "--json"), cluster));
            assertEquals(1, lastOne.lines().count(), lastOne);
            assertTrue(lastOne.contains("\"value\":2.0") && lastOne.contains("\"worker\":\"w0\""), lastOne);

            String steps = run(concat(List.of("steps", "--columns", "trainer.loss"), cluster));
            List<String> rows = steps.lines().toList();
            assertEquals(3, rows.size(), "header and steps 1 and 2, each once:\n" + steps);
            assertTrue(rows.get(1).matches("\\s*1\\s+v1\\s+0\\.5000"), rows.get(1));
            assertTrue(rows.get(2).matches("\\s*2\\s+v2\\s+0\\.2500"), rows.get(2));
        }
    }

    private static String run(List<String> argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = MetricsCommand.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** The newest summary of a step on rl.step-summary once it passes the check, within 60 s. */
    private static StepSummary await(KafkaFixture kafka, String step, java.util.function.Predicate<StepSummary> done) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "metrics-it-" + UUID.randomUUID());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, StepSummary> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                RegistryFixture.serdes().serde(StepSummary.class).deserializer())) {
            TopicPartition p = new TopicPartition(CATALOG.name(Topic.STEP_SUMMARY), 0);
            consumer.assign(List.of(p));
            consumer.seekToBeginning(List.of(p));
            long deadline = System.currentTimeMillis() + 60_000;
            StepSummary newest = null;
            while (System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, StepSummary> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key().equals(step)) {
                        newest = r.value();
                    }
                }
                if (newest != null && done.test(newest)) {
                    return newest;
                }
            }
            throw new AssertionError("step " + step + " never reached the expected summary; newest: " + newest);
        }
    }
}
