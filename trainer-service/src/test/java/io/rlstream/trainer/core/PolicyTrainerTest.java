package io.rlstream.trainer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.rlstream.model.CharTokenizer;
import io.rlstream.model.Generation;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyTrainerTest {

    private static final CharTokenizer TOKENIZER = CharTokenizer.arithmetic();
    private static final List<int[]> PROMPTS = List.of(
            TOKENIZER.encodePrompt("37+48="), TOKENIZER.encodePrompt("12+10="),
            TOKENIZER.encodePrompt("99+99="), TOKENIZER.encodePrompt("50+25="));
    private static final List<int[]> TARGETS = List.of(
            answer("85"), answer("22"), answer("198"), answer("75"));

    private static int[] answer(String text) {
        int[] digits = TOKENIZER.encode(text);
        int[] out = new int[digits.length + 1];
        System.arraycopy(digits, 0, out, 0, digits.length);
        out[digits.length] = CharTokenizer.EOS;
        return out;
    }

    private static TrainerConfig config() {
        return TrainerConfig.defaults().withWarmupSteps(0).withDecaySteps(0).withUpdatesPerBatch(1);
    }

    @Test
    void supervisedStepsLowerTheLossOnAFixedBatch() {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 3)) {
            PolicyTrainer trainer = new PolicyTrainer(policy, config().withLearningRate(1e-3));
            double first = trainer.supervisedStep(PROMPTS, TARGETS);
            double last = first;
            for (int i = 0; i < 30; i++) {
                last = trainer.supervisedStep(PROMPTS, TARGETS);
            }
            // the untrained policy is near uniform over the 14 producible tokens: ln 14 ≈ 2.64
            assertEquals(Math.log(14), first, 0.3);
            assertTrue(last < first / 2, "loss went from " + first + " to " + last);
        }
    }

    @Test
    void positiveAdvantageRaisesAndNegativeLowersTheSequenceLogprob() {
        for (float advantage : new float[] {1f, -1f}) {
            try (Policy policy = Policy.create(PolicyConfig.demo(), 5)) {
                List<int[]> prompt = List.of(PROMPTS.get(0));
                Generation sampled = policy.sample(prompt, 4, 1f, 11).get(0);
                double before = sequenceLogprob(policy, prompt, sampled.tokens());
                PolicyTrainer trainer = new PolicyTrainer(policy, config());
                StepStats stats = trainer.rlStep(List.of(new TrainingSample(prompt.get(0),
                        sampled.tokens(), sampled.logprobs(), advantage, sampled.truncated())));
                double after = sequenceLogprob(policy, prompt, sampled.tokens());
                assertTrue(advantage > 0 ? after > before : after < before,
                        "A=" + advantage + ": log-prob went from " + before + " to " + after);
                // the first update is on-policy: every ratio is 1, nothing is clipped
                assertEquals(1.0, stats.meanRatio(), 1e-4);
                assertEquals(0.0, stats.clipFraction(), 0.0);
                assertEquals(sampled.tokens().length, stats.tokens());
                // ℓ = −A·u with u = 1 on every token, token mean −A
                assertEquals(-advantage, stats.loss(), 1e-4);
            }
        }
    }

    @Test
    void truncatedSamplesAreSkippedUnderOverlongFiltering() {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 5)) {
            TrainerConfig masking = new TrainerConfig(3e-4, 0, 0, 0.2, 0.28, 3, 1, 0, 1, 1,
                    PolicyLoss.Aggregation.TOKEN_MEAN, true);
            PolicyTrainer trainer = new PolicyTrainer(policy, masking);
            int[] response = TOKENIZER.encode("8555");
            StepStats stats = trainer.rlStep(List.of(new TrainingSample(PROMPTS.get(0), response,
                    new float[] {-1, -1, -1, -1}, 1f, true)));
            assertEquals(0, stats.tokens());
        }
    }

    private static double sequenceLogprob(Policy policy, List<int[]> prompt, int[] response) {
        try (NDManager scope = policy.newScope()) {
            List<int[]> responses = new ArrayList<>();
            responses.add(response);
            return policy.responseLogprobs(scope, prompt, responses, 1f, false).logprobs().sum()
                    .getFloat();
        }
    }
}
