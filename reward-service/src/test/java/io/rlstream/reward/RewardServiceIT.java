package io.rlstream.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rlstream.events.Prompt;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.RolloutPosition;
import io.rlstream.events.SampleStatus;
import io.rlstream.reward.stream.RewardTopologyTest;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reward service on the real broker and registry, exactly-once, with the prompts global table;
 * every reward carries its rollout's summary and real position on rl.rollouts.
 */
class RewardServiceIT {

    @Test
    void everyRolloutGetsOneCommittedRewardScoredAgainstItsPrompt(@TempDir Path state) throws Exception {
        try (PipelineFixture pipeline = PipelineFixture.start(new TopicCatalog("rw.", 2))) {
            pipeline.send(Topic.PROMPTS, "p1", Prompt.newBuilder().setPromptId("p1")
                    .setText("37+48=").setReferenceAnswer("85").setCreatedAt(Instant.EPOCH).build());
            Map<String, Object> settings = pipeline.serviceSettings();
            settings.put(RewardServiceConfig.STATE_DIR, state.toString());
            try (RewardService service = new RewardService(new RewardServiceConfig(settings))) {
                service.start();
                pipeline.sendAll(Topic.ROLLOUTS, Rollout::getGroupId, List.of(
                        RewardTopologyTest.rollout("g1", 0, "p1", "85", SampleStatus.OK),
                        RewardTopologyTest.rollout("g1", 1, "p1", "58", SampleStatus.OK),
                        RewardTopologyTest.rollout("g2", 0, "p1", "", SampleStatus.FAILED)));
                // Read on past the 3 expected rewards: a fourth would be one delivered twice.
                Map<String, Reward> byRollout = new TreeMap<>();
                for (ConsumerRecord<String, Reward> r : pipeline.readAll(Topic.REWARDS, Reward.class, 3,
                        Duration.ofSeconds(60))) {
                    assertEquals(r.key(), r.value().getGroupId());
                    Reward previous = byRollout.put(r.value().getRolloutId(), r.value());
                    assertEquals(null, previous, "reward for " + r.value().getRolloutId() + " delivered twice");
                }
                assertEquals(1.0, byRollout.get("g1/0").getScore());
                assertEquals(0.0, byRollout.get("g1/1").getScore());
                assertEquals(SampleStatus.FAILED, byRollout.get("g2/0").getStatus());
                assertEquals(3, byRollout.size());
                // Each reward carries its rollout's real position on the broker (issue 18), read back here.
                for (ConsumerRecord<String, Rollout> r : pipeline.readAll(Topic.ROLLOUTS, Rollout.class, 3,
                        Duration.ofSeconds(10))) {
                    Reward w = byRollout.get(r.value().getRolloutId());
                    assertEquals(new RolloutPosition(r.partition(), r.offset()), w.getRollout().getSource(),
                            r.value().getRolloutId());
                    assertEquals(r.value().getSampleIndex(), w.getRollout().getSampleIndex());
                }
                assertEquals(SampleStatus.FAILED, byRollout.get("g2/0").getRollout().getStatus());
            }
        }
    }
}
