package io.rlstream.feedback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rlstream.events.FinishReason;
import io.rlstream.events.Prompt;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.events.UserFeedback;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.processors.grouping.GroupingApp;
import io.rlstream.reward.RewardService;
import io.rlstream.reward.RewardServiceConfig;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, fix 2, on the real broker and registry: a reaction on rl.feedback changes the advantage
 * of the response it names in a training batch. The reward service scores every rollout with its
 * verifier and turns the reaction into a feedback reward; the grouping app merges the two
 * (group.feedback = add) while the group waits for feedback (group.feedback.wait.ms). Before the
 * fix the feedback reward was dropped as a duplicate and both groups trained with advantages [0, 0].
 */
class FeedbackIT {

    @Test
    void aThumbsDownOnACorrectAnswerMakesItsAdvantageNegative(@TempDir Path state) throws Exception {
        try (PipelineFixture pipeline = PipelineFixture.start(new TopicCatalog("fb.", 2))) {
            pipeline.send(Topic.PROMPTS, "p1", Prompt.newBuilder().setPromptId("p1")
                    .setText("37+48=").setReferenceAnswer("85").setCreatedAt(Instant.EPOCH).build());
            Map<String, Object> rewards = pipeline.serviceSettings();
            rewards.put(RewardServiceConfig.STATE_DIR, state.resolve("rewards").toString());
            Map<String, Object> processors = new HashMap<>(pipeline.serviceSettings());
            processors.put(ProcessorsConfig.STATE_DIR, state.resolve("processors").toString());
            processors.put("group.size", "2");
            processors.put("batch.groups", "1");
            processors.put("filter.group", "none");
            processors.put(ProcessorsConfig.FEEDBACK, "add");
            processors.put(ProcessorsConfig.FEEDBACK_WAIT_MS, "10000");
            try (RewardService rewardService = new RewardService(new RewardServiceConfig(rewards));
                    GroupingApp grouping = new GroupingApp(new ProcessorsConfig(processors))) {
                rewardService.start();
                grouping.start();
                for (String group : List.of("with-feedback", "control")) {
                    for (int i = 0; i < 2; i++) {
                        pipeline.send(Topic.ROLLOUTS, group, correctRollout(group, i));
                    }
                }
                pipeline.send(Topic.FEEDBACK, "response-17", UserFeedback.newBuilder().setResponseId("response-17")
                        .setRolloutId("with-feedback/1").setPromptId("p1").setReaction("thumbs_down")
                        .setUserId("u1").setTime(Instant.now()).build());

                Map<String, TrainingBatchGroup> byGroup = new HashMap<>();
                for (TrainingBatchGroup b : pipeline.readValues(Topic.TRAINING_BATCHES, TrainingBatchGroup.class, 2,
                        Duration.ofSeconds(90))) {
                    byGroup.put(b.getGroupId(), b);
                }
                // both answers are right: verifier rewards [1, 1]; thumbs_down = −1 added to the second:
                // [1, 0], GRPO with sample std √0.5: A = [+0.70711, −0.70711]
                assertEquals(List.of(1.0, 0.0), rewards(byGroup.get("with-feedback")));
                assertArrayEquals(new float[] {0.7071068f, -0.7071068f}, advantages(byGroup.get("with-feedback")), 1e-5f);
                // the same group without a reaction: [1, 1], no preference, A = [0, 0]
                assertEquals(List.of(1.0, 1.0), rewards(byGroup.get("control")));
                assertArrayEquals(new float[] {0f, 0f}, advantages(byGroup.get("control")), 0f);
            }
        }
    }

    private static Rollout correctRollout(String group, int index) {
        return Rollout.newBuilder().setRolloutId(group + "/" + index).setGroupId(group).setPromptId("p1")
                .setSampleIndex(index).setGroupSize(2).setPromptTokenIds(List.of(1, 5))
                .setResponseTokenIds(List.of(12, 9, 2)).setBehaviourLogprobs(List.of(-0.5f, -0.5f, -0.1f))
                .setResponseText("85").setPolicyVersion(0).setFinishReason(FinishReason.STOP)
                .setStatus(SampleStatus.OK).setGeneratedAt(Instant.now()).setTemperature(1f).setMaxNewTokens(5)
                .build();
    }

    private static List<Double> rewards(TrainingBatchGroup g) {
        return g.getSamples().stream().map(ScoredSample::getReward).toList();
    }

    private static float[] advantages(TrainingBatchGroup g) {
        float[] a = new float[g.getSamples().size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = g.getSamples().get(i).getAdvantage();
        }
        return a;
    }
}
