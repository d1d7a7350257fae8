package io.rlstream.trainer.service;

import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.model.tokenizer.CharTokenizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Small training batches of the addition task for the trainer's integration tests. */
final class TestBatches {

    private static final CharTokenizer TOKENIZER = CharTokenizer.arithmetic();

    private TestBatches() {
    }

    /** A batch of two groups of two samples each, rewards 1 and 0, GRPO advantages ±0.7071. */
    static List<TrainingBatchGroup> batch(String id, long sequence) {
        List<TrainingBatchGroup> out = new ArrayList<>();
        for (int g = 0; g < 2; g++) {
            List<ScoredSample> samples = List.of(sample(id + "/" + g + "/0", "12+34=", "46", 1.0, 0.7071f),
                    sample(id + "/" + g + "/1", "12+34=", "47", 0.0, -0.7071f));
            out.add(TrainingBatchGroup.newBuilder().setBatchId(id).setBatchSequence(sequence).setGroupIndex(g)
                    .setBatchGroups(2).setBatchSamples(4).setMinPolicyVersion(0).setMaxPolicyVersion(0)
                    .setFilterStats(Map.of("groups_completed", 2L, "groups_kept", 2L)).setGroupId(id + "-g" + g)
                    .setPromptId("add-12-34").setEstimator("grpo").setSamples(samples).setCreatedAt(Instant.EPOCH)
                    .build());
        }
        return out;
    }

    private static ScoredSample sample(String id, String prompt, String answer, double reward, float advantage) {
        int[] answerTokens = TOKENIZER.encode(answer);
        int[] response = Arrays.copyOf(answerTokens, answerTokens.length + 1);
        response[answerTokens.length] = TOKENIZER.eos();
        List<Float> logprobs = new ArrayList<>();
        for (int i = 0; i < response.length; i++) {
            logprobs.add(-1.0f);
        }
        return ScoredSample.newBuilder().setRolloutId(id)
                .setPromptTokenIds(Arrays.stream(TOKENIZER.encodePrompt(prompt)).boxed().toList())
                .setResponseTokenIds(Arrays.stream(response).boxed().toList()).setBehaviourLogprobs(logprobs)
                .setReward(reward).setAdvantage(advantage).setPolicyVersion(0).build();
    }
}
