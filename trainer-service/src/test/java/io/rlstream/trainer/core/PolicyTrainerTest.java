package io.rlstream.trainer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.model.Generation;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.trainer.objective.KlEstimator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyTrainerTest {

    private static final CharTokenizer TOKENIZER = AnswerTokens.TOKENIZER;
    private static final List<int[]> PROMPTS = List.of(
            TOKENIZER.encodePrompt("37+48="), TOKENIZER.encodePrompt("12+10="),
            TOKENIZER.encodePrompt("99+99="), TOKENIZER.encodePrompt("50+25="));
    private static final List<int[]> TARGETS = List.of(
            AnswerTokens.of("85"), AnswerTokens.of("22"), AnswerTokens.of("198"), AnswerTokens.of("75"));

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
                        sampled.tokens(), sampled.logprobs(), advantage, false)));
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

    /**
     * Issue 15, fix 3: Dr.GRPO's seq-mean-token-sum-norm divides by B·L with L a constant (the
     * generation limit, Dr.GRPO's generate_max_length), so the same response weighs the same in
     * every batch. On-policy first update: u = 1 on every token, ℓ_t = −A. The response "85⟨eos⟩"
     * (3 tokens, A = 1) with a 5-token partner (A = 0) and with a 2-token partner (A = 0), both
     * generated with limit L = 8: loss = −3/(2·8) = −0.1875 in both batches. Dividing by the padded
     * width gave −3/(2·5) = −0.3 and −3/(2·3) = −0.5.
     */
    @Test
    void drGrpoNormalisesByTheGenerationLimitNotTheLongestResponseOfTheBatch() {
        TrainerConfig drGrpo = config().withAggregation(PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_SUM_NORM)
                .withLearningRate(1e-12);
        int[] response = AnswerTokens.of("85");
        for (int[] partner : List.of(AnswerTokens.of("1985"), AnswerTokens.of("9"))) {
            try (Policy policy = Policy.create(PolicyConfig.demo(), 5)) {
                PolicyTrainer trainer = new PolicyTrainer(policy, drGrpo);
                // behaviour log-probs = the policy's own, so every behaviour weight π_prox/π_behav is 1
                StepStats stats = trainer.rlStep(List.of(
                        new TrainingSample(PROMPTS.get(0), response, ownLogprobs(policy, PROMPTS.get(0), response), 1f,
                                false, Float.NaN, 8),
                        new TrainingSample(PROMPTS.get(1), partner, ownLogprobs(policy, PROMPTS.get(1), partner), 0f,
                                false, Float.NaN, 8)));
                assertEquals(-3.0 / (2 * 8), stats.policyLoss(), 1e-5, "partner of " + partner.length + " tokens");
            }
        }
    }

    /**
     * Issue 15, fix 5: a sample drawn at temperature 0.5 carries it, and the trainer scores it at
     * 0.5 although trainer.temperature is 1: the first update is on-policy, so every behaviour
     * weight π_prox/π_behav and every ratio is 1 (scored at 1 instead, the weights are
     * π(T=1)/π(T=0.5) ≠ 1 and every ratio is biased).
     */
    @Test
    void eachSampleIsScoredAtTheTemperatureItWasSampledAt() {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 5)) {
            List<TrainingSample> batch = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                float t = i % 2 == 0 ? 0.5f : 1.5f;
                Generation g = policy.sample(List.of(PROMPTS.get(i)), 4, t, 21 + i).get(0);
                batch.add(new TrainingSample(PROMPTS.get(i), g.tokens(), g.logprobs(), i % 2 == 0 ? 1f : -1f, false,
                        t, 0));
            }
            StepStats stats = new PolicyTrainer(policy, config()).rlStep(batch);
            assertEquals(1.0, stats.weightMean(), 1e-4);
            assertEquals(1.0, stats.weightMax(), 1e-4);
            assertEquals(1.0, stats.meanRatio(), 1e-4);
        }
    }

    private static float[] ownLogprobs(Policy policy, int[] prompt, int[] response) {
        try (NDManager scope = policy.newScope()) {
            return policy.responseLogprobs(scope, List.of(prompt), List.of(response), 1f, false).logprobs()
                    .toFloatArray();
        }
    }

    @Test
    void truncatedSamplesAreSkippedUnderOverlongFiltering() {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 5)) {
            TrainerConfig masking = new TrainerConfig(3e-4, 0, 0, 0.2, 0.28, 3, 1, 0, 1, 1,
                    ClippedSurrogate.NAME, PolicyLoss.Aggregation.TOKEN_MEAN, true, Objective.defaults());
            PolicyTrainer trainer = new PolicyTrainer(policy, masking);
            int[] response = TOKENIZER.encode("8555");
            StepStats stats = trainer.rlStep(List.of(new TrainingSample(PROMPTS.get(0), response,
                    new float[] {-1, -1, -1, -1}, 1f, true)));
            assertEquals(0, stats.tokens());
        }
    }

    @Test
    void decoupledPpoWeighsStaleSamplesByProxOverBehaviourAndTruncatesAtTheCap() {
        // An older policy gave every token 0.5 nats less: w = π_prox/π_behav = e^0.5 = 1.6487 per token,
        // under the cap C = 2. With 1 nat less, w = e = 2.7183 > 2: every token truncated.
        for (float gap : new float[] {0.5f, 1f}) {
            try (Policy policy = Policy.create(PolicyConfig.demo(), 5)) {
                List<int[]> prompt = List.of(PROMPTS.get(0));
                Generation sampled = policy.sample(prompt, 4, 1f, 11).get(0);
                float[] older = sampled.logprobs().clone();
                for (int i = 0; i < older.length; i++) {
                    older[i] -= gap;
                }
                PolicyTrainer trainer = new PolicyTrainer(policy, config());
                StepStats stats = trainer.rlStep(List.of(new TrainingSample(prompt.get(0), sampled.tokens(), older,
                        1f, false)));
                assertEquals(Math.exp(gap), stats.weightMean(), 1e-3);
                assertEquals(Math.exp(gap), stats.weightMax(), 1e-3);
                assertEquals(gap < Math.log(2) ? 0.0 : 1.0, stats.fractionTruncated(), 0.0);
                // u = π_θ/π_prox = 1 at the first update, whatever the staleness; ℓ = −A·u·min(w, 2)
                assertEquals(1.0, stats.meanRatio(), 1e-4);
                assertEquals(-Math.min(Math.exp(gap), 2.0), stats.loss(), 1e-3);
            }
        }
    }

    @Test
    void klToAReferenceStartsAtZeroAndGrowsAsThePolicyMoves() {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 5);
                Policy reference = Policy.create(PolicyConfig.demo(), 5)) {
            List<int[]> prompt = List.of(PROMPTS.get(0));
            Generation sampled = policy.sample(prompt, 4, 1f, 11).get(0);
            TrainerConfig withKl = config().withLearningRate(3e-3).withObjective(Objective.defaults()
                    .withKl(io.rlstream.trainer.objective.KlEstimator.K3, 0.1, Objective.KlPlacement.LOSS));
            PolicyTrainer trainer = new PolicyTrainer(policy, reference, withKl);
            TrainingSample sample = new TrainingSample(prompt.get(0), sampled.tokens(), sampled.logprobs(), 1f, false);
            StepStats first = trainer.rlStep(List.of(sample));
            // identical weights: d = 0 on every token, k3 = e^0 + 0 − 1 = 0
            assertEquals(0.0, first.kl(), 1e-6);
            assertEquals(0.1, first.klCoef(), 0.0);
            StepStats later = first;
            for (int i = 0; i < 5; i++) {
                later = trainer.rlStep(List.of(sample));
            }
            assertTrue(later.kl() > 0, "KL after 6 steps away from the reference: " + later.kl());
        }
    }

    @Test
    void miniBatchesTakeOneOptimizerStepEachPerEpoch() {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 5)) {
            List<Generation> sampled = policy.sample(PROMPTS, 4, 1f, 11);
            List<TrainingSample> batch = new ArrayList<>();
            for (int i = 0; i < sampled.size(); i++) {
                batch.add(new TrainingSample(PROMPTS.get(i), sampled.get(i).tokens(), sampled.get(i).logprobs(),
                        i % 2 == 0 ? 1f : -1f, false));
            }
            PolicyTrainer trainer = new PolicyTrainer(policy, config().withUpdatesPerBatch(3)
                    .withObjective(Objective.defaults().withMiniBatches(2)));
            trainer.rlStep(batch);
            assertEquals(6, trainer.optimizerSteps(), "3 epochs x 2 mini-batches");
        }
    }

    /**
     * Gradient accumulation: a mini-batch scored in micro-batches of 2 or 3 rows (responses of
     * different lengths, one truncated and masked) takes the same optimizer step as in one pass,
     * for every aggregation, the token-level and the sequence-level (GSPO) loss, with a KL term in
     * the loss and an entropy bonus: every micro-batch weighs by its share of the mini-batch.
     */
    @Test
    void microBatchesTakeTheSameStepAsOnePass() {
        Objective objective = Objective.defaults().withKl(KlEstimator.K3, 0.05, Objective.KlPlacement.LOSS)
                .withEntropyCoef(0.01);
        for (String loss : List.of("ppo-clip", "gspo")) {
            for (PolicyLoss.Aggregation aggregation : PolicyLoss.Aggregation.values()) {
                TrainerConfig base = config().withLearningRate(1e-3).withAggregation(aggregation)
                        .withPolicyLoss(loss).withObjective(objective);
                List<TrainingSample> batch;
                float[][] onePass;
                StepStats onePassStats;
                try (Policy policy = Policy.create(PolicyConfig.demo(), 5);
                        Policy reference = Policy.create(PolicyConfig.demo(), 6)) {
                    batch = new ArrayList<>();
                    for (int i = 0; i < 6; i++) {
                        int[] prompt = PROMPTS.get(i % PROMPTS.size());
                        Generation g = policy.sample(List.of(prompt), 2 + i % 4, 1f, 20 + i).get(0);
                        batch.add(new TrainingSample(prompt, g.tokens(), g.logprobs(), i % 3 == 0 ? 1f : -0.5f,
                                i == 4, Float.NaN, 8));
                    }
                    PolicyTrainer trainer = new PolicyTrainer(policy, reference, base);
                    onePassStats = trainer.rlStep(batch);
                    onePass = weights(policy);
                }
                for (int rows : new int[] {2, 3}) {
                    try (Policy policy = Policy.create(PolicyConfig.demo(), 5);
                            Policy reference = Policy.create(PolicyConfig.demo(), 6)) {
                        PolicyTrainer trainer = new PolicyTrainer(policy, reference,
                                base.withObjective(objective.withMicroBatchRows(rows)));
                        StepStats stats = trainer.rlStep(batch);
                        String what = loss + "/" + aggregation + " in micro-batches of " + rows;
                        assertEquals(1, trainer.optimizerSteps(), what);
                        assertEquals(onePassStats.policyLoss(), stats.policyLoss(), 1e-5, what);
                        assertEquals(onePassStats.kl(), stats.kl(), 1e-6, what);
                        assertEquals(onePassStats.entropy(), stats.entropy(), 1e-5, what);
                        float[][] micro = weights(policy);
                        for (int p = 0; p < micro.length; p++) {
                            for (int j = 0; j < micro[p].length; j++) {
                                // Adam's first step is about lr·sign(g): a gradient within float noise of 0 may
                                // move by up to 2·lr either way, a wrongly weighted micro-batch by far more
                                // weights than the tolerance of 1% of lr allows for
                                assertEquals(onePass[p][j], micro[p][j], 1e-5, what + ", parameter " + p);
                            }
                        }
                    }
                }
            }
        }
    }

    /** A non-finite gradient (here from NaN behaviour log-probs) leaves the weights as they were: no NaN reaches a checkpoint. */
    @Test
    void aNonFiniteGradientSkipsTheUpdateAndLeavesTheWeightsUnchanged() {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 5)) {
            Generation g = policy.sample(List.of(PROMPTS.get(0)), 4, 1f, 3).get(0);
            float[][] before = weights(policy);
            PolicyTrainer trainer = new PolicyTrainer(policy, config());
            StepStats stats = trainer.rlStep(List.of(
                    new TrainingSample(PROMPTS.get(0), g.tokens(), nans(g.logprobs().length), 1f, false)));
            assertTrue(Double.isNaN(stats.gradNorm()) || Double.isInfinite(stats.gradNorm()), "norm " + stats.gradNorm());
            assertEquals(1, trainer.skippedUpdates());
            float[][] after = weights(policy);
            for (int p = 0; p < before.length; p++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(before[p], after[p], 0f);
            }
            // the next finite batch trains as usual
            trainer.rlStep(List.of(new TrainingSample(PROMPTS.get(0), g.tokens(), g.logprobs(), 1f, false)));
            assertEquals(1, trainer.skippedUpdates());
            assertTrue(Float.isFinite(weights(policy)[0][0]));
        }
    }

    private static float[] nans(int n) {
        float[] out = new float[n];
        java.util.Arrays.fill(out, Float.NaN);
        return out;
    }

    private static float[][] weights(Policy policy) {
        List<float[]> out = new ArrayList<>();
        policy.parameters().forEach(p -> out.add(p.getValue().getArray().toFloatArray()));
        return out.toArray(float[][]::new);
    }

    @Test
    void dpoStepsRaiseTheChosenResponseOverTheRejectedOne() {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 5);
                Policy reference = Policy.create(PolicyConfig.demo(), 5)) {
            PreferenceSample pair = new PreferenceSample(PROMPTS.get(0), TARGETS.get(0), TOKENIZER.encode("1"));
            PolicyTrainer trainer = new PolicyTrainer(policy, reference, config().withLearningRate(1e-3));
            PreferenceStats first = trainer.preferenceStep(List.of(pair),
                    io.rlstream.trainer.objective.PreferenceLoss.dpo());
            // policy = reference: s = 0, loss = −log σ(0) = log 2, margin 0
            assertEquals(Math.log(2), first.loss(), 1e-5);
            assertEquals(0.0, first.meanMargin(), 1e-6);
            PreferenceStats last = first;
            for (int i = 0; i < 10; i++) {
                last = trainer.preferenceStep(List.of(pair), io.rlstream.trainer.objective.PreferenceLoss.dpo());
            }
            assertTrue(last.meanMargin() > 0 && last.loss() < Math.log(2),
                    "after 11 steps margin " + last.meanMargin() + ", loss " + last.loss());
            assertEquals(1.0, last.rewardAccuracy(), 0.0);
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
