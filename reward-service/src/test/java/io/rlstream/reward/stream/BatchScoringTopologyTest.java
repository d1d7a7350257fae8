package io.rlstream.reward.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.Prompt;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.reward.score.RewardScorer;
import io.rlstream.reward.verify.Verification;
import io.rlstream.reward.verify.Verifier;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PlainAvroSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

/** Rollouts batched across records before the verifier sees them: by size, then by linger. */
class BatchScoringTopologyTest {

    /** A verifier that scores the response's length and records the size of every batch it gets. */
    private static final class LengthByBatch implements Verifier {
        final List<Integer> batches = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "length-by-batch";
        }

        @Override
        public Verification verify(String response, String reference) {
            return verifyAll(List.of(new Check("", response, reference))).get(0);
        }

        @Override
        public List<Verification> verifyAll(List<Check> checks) {
            batches.add(checks.size());
            List<Verification> out = new ArrayList<>();
            for (Check c : checks) {
                out.add(Verification.scored(c.response().length(), "", "length"));
            }
            return out;
        }
    }

    @Test
    void fullBatchesGoAtOnceAndTheRestAfterTheLinger() {
        TopicCatalog catalog = TopicCatalog.defaults();
        PlainAvroSerdes serdes = new PlainAvroSerdes();
        LengthByBatch verifier = new LengthByBatch();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "reward-batch-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (TopologyTestDriver driver = new TopologyTestDriver(RewardTopology.build(new StreamsBuilder(), catalog,
                serdes, RewardScorer.of(verifier), new RewardTopology.Batching(3, Duration.ofMillis(500)), null,
                new RewardStats()), props)) {
            TestInputTopic<String, Prompt> prompts = driver.createInputTopic(catalog.name(Topic.PROMPTS),
                    Serdes.String().serializer(), serdes.serde(Prompt.class).serializer());
            TestInputTopic<String, Rollout> rollouts = driver.createInputTopic(catalog.name(Topic.ROLLOUTS),
                    Serdes.String().serializer(), serdes.serde(Rollout.class).serializer());
            TestOutputTopic<String, Reward> rewards = driver.createOutputTopic(catalog.name(Topic.REWARDS),
                    Serdes.String().deserializer(), serdes.serde(Reward.class).deserializer());
            prompts.pipeInput("p1", Prompt.newBuilder().setPromptId("p1").setText("1+1=").setReferenceAnswer("2")
                    .setCreatedAt(Instant.EPOCH).build());

            // Five scorable rollouts (response lengths 1..5) and one failed generation.
            for (int i = 0; i < 5; i++) {
                // G = 5: an index outside its group is a dead letter (RolloutCheck)
                rollouts.pipeInput("g1", Rollout.newBuilder(RewardTopologyTest.rollout("g1", i, "p1", "x".repeat(i + 1),
                        SampleStatus.OK)).setGroupSize(5).build());
                if (i == 1) {
                    rollouts.pipeInput("g9", RewardTopologyTest.rollout("g9", 0, "p1", "", SampleStatus.FAILED));
                }
            }
            // The failed generation at once, the first three as one batch; two wait for the linger.
            List<Reward> first = rewards.readValuesToList();
            assertEquals(List.of(3), verifier.batches);
            assertEquals(4, first.size());
            assertEquals(SampleStatus.FAILED, first.get(0).getStatus());
            assertEquals("g9/0", first.get(0).getRolloutId());

            driver.advanceWallClockTime(Duration.ofMillis(600));
            List<Reward> rest = rewards.readValuesToList();
            assertEquals(List.of(3, 2), verifier.batches);
            List<Reward> all = new ArrayList<>(first.subList(1, 4));
            all.addAll(rest);
            // Each rollout scored once with its own length (the verifier's rule): g1/i → i + 1.
            assertEquals(5, all.size());
            for (Reward r : all) {
                int index = Integer.parseInt(r.getRolloutId().substring(3));
                assertEquals(index + 1.0, r.getScore(), r.getRolloutId());
                assertEquals("g1", r.getGroupId());
            }
            assertTrue(all.stream().map(Reward::getRolloutId).distinct().count() == 5);
            // Nothing left pending: a later punctuation sends nothing.
            driver.advanceWallClockTime(Duration.ofMillis(600));
            assertTrue(rewards.isEmpty());
            assertEquals(List.of(3, 2), verifier.batches);
        }
    }
}
