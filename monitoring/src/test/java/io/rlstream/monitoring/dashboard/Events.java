package io.rlstream.monitoring.dashboard;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.FinishReason;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Hand-made events for the dashboard's tests. */
final class Events {

    private Events() {
    }

    static PromptDispatch dispatch(String group, String prompt, String text, int g, long version) {
        return PromptDispatch.newBuilder().setGroupId(group).setPromptId(prompt).setPromptText(text).setGroupSize(g)
                .setPolicyVersion(version).setDispatchedAt(Instant.ofEpochMilli(1_000)).build();
    }

    static Rollout rollout(String group, int index, String text, long version, SampleStatus status) {
        return Rollout.newBuilder().setRolloutId(group + "/" + index).setGroupId(group).setPromptId("p-" + group)
                .setSampleIndex(index).setGroupSize(4).setPromptTokenIds(List.of(1, 2, 3))
                .setResponseTokenIds(List.of(4, 5, 6).subList(0, Math.max(1, text.length())))
                .setBehaviourLogprobs(List.of(-0.1f, -0.2f, -0.3f).subList(0, Math.max(1, text.length())))
                .setResponseText(text).setPolicyVersion(version)
                .setFinishReason(status == SampleStatus.OK ? FinishReason.STOP : FinishReason.ERROR).setStatus(status)
                .setError(status == SampleStatus.OK ? null : "generator died").setGeneratedAt(Instant.ofEpochMilli(2_000))
                .build();
    }

    static Reward reward(String group, int index, double score) {
        return Reward.newBuilder().setRolloutId(group + "/" + index).setGroupId(group).setPromptId("p-" + group)
                .setScore(score).setComponents(Map.of("correct", score)).setStatus(SampleStatus.OK).setVerifier("math")
                .setScoredAt(Instant.ofEpochMilli(3_000)).build();
    }

    static ScoredSample scored(String group, int index, double reward, float advantage, long version) {
        return ScoredSample.newBuilder().setRolloutId(group + "/" + index).setPromptTokenIds(List.of(1))
                .setResponseTokenIds(List.of(4)).setBehaviourLogprobs(List.of(-0.1f)).setReward(reward)
                .setAdvantage(advantage).setPolicyVersion(version).build();
    }

    static TrainingBatchGroup batchGroup(String batch, long sequence, int index, String group, List<ScoredSample> samples) {
        return TrainingBatchGroup.newBuilder().setBatchId(batch).setBatchSequence(sequence).setGroupIndex(index)
                .setBatchGroups(2).setBatchSamples(6).setMinPolicyVersion(3).setMaxPolicyVersion(4)
                .setGroupId(group).setPromptId("p-" + group).setEstimator("grpo").setSamples(samples)
                .setCreatedAt(Instant.ofEpochMilli(4_000)).build();
    }

    static CheckpointPublished checkpoint(long version, long step, List<String> batches, Map<String, Double> metrics) {
        return CheckpointPublished.newBuilder().setPolicyName("demo").setVersion(version)
                .setUri("file:/tmp/ckpt/v" + version).setStep(step).setBatchIds(batches).setMetrics(metrics)
                .setCreatedAt(Instant.ofEpochMilli(10_000 + step)).build();
    }
}
