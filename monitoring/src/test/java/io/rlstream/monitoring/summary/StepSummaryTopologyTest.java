package io.rlstream.monitoring.summary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.DeadLetter;
import io.rlstream.events.Metric;
import io.rlstream.events.StepSummary;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PlainAvroSerdes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** rl.metrics → rl.step-summary without a broker: steps assigned, rolled up, emitted once per interval. */
class StepSummaryTopologyTest {

    @TempDir
    Path stateDir;

    private final PlainAvroSerdes serdes = new PlainAvroSerdes();
    private final TopicCatalog catalog = TopicCatalog.defaults();

    @Test
    void eachChangedStepIsEmittedOncePerIntervalWithItsMetricsRolledUp() {
        try (TopologyTestDriver driver = driver()) {
            TestInputTopic<String, Metric> metrics = driver.createInputTopic(catalog.name(Topic.METRICS),
                    new StringSerializer(), serdes.serde(Metric.class).serializer());
            TestOutputTopic<String, StepSummary> out = driver.createOutputTopic(catalog.name(Topic.STEP_SUMMARY),
                    new StringDeserializer(), serdes.serde(StepSummary.class).deserializer());

            metrics.pipeInput("rollout-worker", StepRollupTest.metric("worker.rollouts", 8, -1, Map.of(), 10));
            metrics.pipeInput("trainer", StepRollupTest.metric("trainer.loss", 0.5, 1, Map.of(), 20, 1));
            metrics.pipeInput("trainer", StepRollupTest.metric("trainer.reward_mean", 0.25, 1, Map.of(), 20, 1));
            metrics.pipeInput("rollout-worker", StepRollupTest.metric("worker.rollouts", 6, -1, Map.of(), 30));
            metrics.pipeInput("rollout-worker", StepRollupTest.metric("worker.rollouts", 2, -1, Map.of(), 40));
            assertTrue(out.isEmpty(), "nothing is written before the emit interval passes");

            driver.advanceWallClockTime(Duration.ofSeconds(1));
            Map<String, StepSummary> emitted = out.readKeyValuesToMap();
            assertEquals(2, emitted.size(), "step 0 (before any training step) and step 1: " + emitted.keySet());
            StepSummary zero = emitted.get("0");
            assertEquals(8, zero.getMetrics().get("worker.rollouts").getSum());
            StepSummary one = emitted.get("1");
            assertEquals(0.5, one.getMetrics().get("trainer.loss").getLast());
            // the worker's two reports after step 1's training metrics belong to step 1: 6 + 2
            assertEquals(2, one.getMetrics().get("worker.rollouts").getCount());
            assertEquals(8, one.getMetrics().get("worker.rollouts").getSum());
            assertEquals(1, one.getPolicyVersion());

            driver.advanceWallClockTime(Duration.ofSeconds(1));
            assertTrue(out.isEmpty(), "unchanged steps are not written again");

            // held-out accuracy of step 1 evaluated later, after step 2 began: it still goes to step 1
            metrics.pipeInput("trainer", StepRollupTest.metric("trainer.loss", 0.4, 2, Map.of(), 50, 2));
            metrics.pipeInput("demo", StepRollupTest.metric("eval.accuracy", 0.6, 1, Map.of(), 60, 1));
            driver.advanceWallClockTime(Duration.ofSeconds(1));
            Map<String, StepSummary> again = out.readKeyValuesToMap();
            assertEquals(java.util.Set.of("1", "2"), again.keySet());
            assertEquals(0.6, again.get("1").getMetrics().get("eval.accuracy").getLast());
            assertEquals(0.5, again.get("1").getMetrics().get("trainer.loss").getLast(), "step 1's summary kept");
        }
    }

    @Test
    void anUndecodableMetricBecomesADeadLetterAndTheRollupGoesOn() {
        try (TopologyTestDriver driver = driver()) {
            TestInputTopic<String, byte[]> raw = driver.createInputTopic(catalog.name(Topic.METRICS),
                    new StringSerializer(), new ByteArraySerializer());
            TestInputTopic<String, Metric> metrics = driver.createInputTopic(catalog.name(Topic.METRICS),
                    new StringSerializer(), serdes.serde(Metric.class).serializer());
            TestOutputTopic<String, DeadLetter> dead = driver.createOutputTopic(catalog.name(Topic.DEAD_LETTERS),
                    new StringDeserializer(), serdes.serde(DeadLetter.class).deserializer());
            TestOutputTopic<String, StepSummary> out = driver.createOutputTopic(catalog.name(Topic.STEP_SUMMARY),
                    new StringDeserializer(), serdes.serde(StepSummary.class).deserializer());

            raw.pipeInput("bogus", new byte[] {1, 2, 3});
            metrics.pipeInput("trainer", StepRollupTest.metric("trainer.loss", 0.5, 1, Map.of(), 20, 1));
            driver.advanceWallClockTime(Duration.ofSeconds(1));

            DeadLetter letter = dead.readValue();
            assertEquals(catalog.name(Topic.METRICS), letter.getSourceTopic());
            assertEquals(0, letter.getSourceOffset());
            assertTrue(letter.getError().contains("Metric"), letter.getError());
            assertEquals(0.5, out.readKeyValuesToMap().get("1").getMetrics().get("trainer.loss").getLast());
        }
    }

    private TopologyTestDriver driver() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "step-summary-test");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return new TopologyTestDriver(StepSummaryTopology.build(catalog, serdes, Duration.ofSeconds(1)), props);
    }
}
