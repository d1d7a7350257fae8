package io.rlstream.trainer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.model.Generation;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.trainer.objective.GroupObjective;
import io.rlstream.trainer.objective.KlEstimator;
import io.rlstream.trainer.objective.LipoLambda;
import io.rlstream.trainer.objective.NegativeAwareFineTuning;
import io.rlstream.trainer.objective.PreferenceLoss;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, memory for real sizes: every mode's step with the output head run in chunks
 * ({@code trainer.max.logit.elements} = 1: one response position per chunk) and in micro-batches
 * ({@code trainer.micro.batch.rows}) is the step of one pass through the whole head. The
 * independent path each is checked against is the trainer itself with the bound off (0, the whole
 * head with DJL's autograd, {@code Policy.responseLogprobs}) and micro-batches off.
 *
 * <p>What is compared, from the same seed: the loss, the gradient norm before clipping (the
 * gradient's size: Adam's first step is about lr·sign(g) and hides it), and every weight after one
 * step. The weights' tolerance 1e-5 is 1% of lr = 1e-3: a gradient within float noise of 0 may move
 * by up to 2·lr either way, a wrongly weighted chunk or micro-batch moves far more weights by far
 * more.
 */
class MemoryBoundStepTest {

    private static final CharTokenizer TOKENIZER = AnswerTokens.TOKENIZER;
    private static final List<int[]> PROMPTS = List.of(
            TOKENIZER.encodePrompt("37+48="), TOKENIZER.encodePrompt("12+10="),
            TOKENIZER.encodePrompt("99+99="), TOKENIZER.encodePrompt("5+2="));
    /** One position per chunk: the smallest bound. */
    private static final long ONE_POSITION = 1;

    private static TrainerConfig config(Objective objective) {
        return TrainerConfig.defaults().withWarmupSteps(0).withDecaySteps(0).withUpdatesPerBatch(1)
                .withLearningRate(1e-3).withObjective(objective);
    }

    /** Loss, gradient norm and weights after one step of a trainer on a fresh policy (seed 5; reference seed 6). */
    private record After(double loss, double gradNorm, float[][] weights, long chunkedPasses) {}

    private interface Step {
        double[] run(PolicyTrainer trainer); // {loss, gradNorm}
    }

    private static After step(Objective objective, Function<TrainerConfig, TrainerConfig> more, Step step) {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 5);
                Policy reference = Policy.create(PolicyConfig.demo(), 6)) {
            PolicyTrainer trainer = new PolicyTrainer(policy, reference, more.apply(config(objective)));
            double[] out = step.run(trainer);
            assertEquals(1, trainer.optimizerSteps(), "one optimizer step");
            return new After(out[0], out[1], weights(policy), trainer.chunkedPasses());
        }
    }

    private static void assertSameStep(After expected, After actual, String what) {
        assertEquals(expected.loss(), actual.loss(), 1e-5, what + ": loss");
        assertEquals(expected.gradNorm(), actual.gradNorm(), 1e-5 * Math.max(1, expected.gradNorm()),
                what + ": gradient norm");
        assertTrue(expected.gradNorm() > 1e-3, what + ": the check must not pass on a zero gradient, norm "
                + expected.gradNorm());
        // Adam's first step moves each weight by lr * g / (|g| + eps), about ±lr (1e-3): a wrong share or
        // a lost gradient term flips or scales whole elements (and moves the loss and the gradient
        // norm, checked at 1e-5 above), while float32 summation order, which chunking changes, moves
        // g by ~1e-9; where |g| is itself near eps (the qwen3 demo policy's q_proj behind its q/k
        // norms has such elements) that is up to ~1% of a step. Hence 5% of a step here.
        for (int p = 0; p < expected.weights().length; p++) {
            for (int j = 0; j < expected.weights()[p].length; j++) {
                assertEquals(expected.weights()[p][j], actual.weights()[p][j], 5e-5,
                        what + ": parameter " + p + " element " + j);
            }
        }
    }

    private static float[][] weights(Policy policy) {
        List<float[]> out = new ArrayList<>();
        policy.parameters().forEach(p -> out.add(p.getValue().getArray().toFloatArray()));
        return out.toArray(float[][]::new);
    }

    /** 6 sampled responses of 2 to 5 tokens, one truncated (masked), temperatures 1 and 0.7 mixed. */
    private static List<TrainingSample> rlBatch() {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 5)) {
            List<TrainingSample> batch = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int[] prompt = PROMPTS.get(i % PROMPTS.size());
                float temperature = i % 2 == 0 ? 1f : 0.7f;
                Generation g = policy.sample(List.of(prompt), 2 + i % 4, temperature, 20 + i).get(0);
                batch.add(new TrainingSample(prompt, g.tokens(), g.logprobs(), i % 3 == 0 ? 1f : -0.5f, i == 4,
                        temperature, 8));
            }
            return batch;
        }
    }

    /**
     * RL: the clipped surrogate (and GSPO) with a KL term in the loss and an entropy bonus (whose
     * gradient the chunked path computes chunk by chunk), every aggregation; chunked, and chunked in
     * micro-batches of 2 rows, against one pass through the whole head.
     */
    @Test
    void rlStepWithTheHeadInChunksIsTheWholeHeadStep() {
        List<TrainingSample> batch = rlBatch();
        Objective objective = Objective.defaults().withKl(KlEstimator.K3, 0.05, Objective.KlPlacement.LOSS)
                .withEntropyCoef(0.05).withMaxLogitElements(0);
        Step rl = t -> {
            StepStats s = t.rlStep(batch);
            return new double[] {s.loss(), s.gradNorm()};
        };
        for (String loss : List.of("ppo-clip", "gspo")) {
            for (PolicyLoss.Aggregation aggregation : PolicyLoss.Aggregation.values()) {
                Function<TrainerConfig, TrainerConfig> setup = c -> c.withPolicyLoss(loss).withAggregation(aggregation);
                After whole = step(objective, setup, rl);
                assertEquals(0, whole.chunkedPasses(), "bound 0: always the whole head");
                After chunked = step(objective.withMaxLogitElements(ONE_POSITION), setup, rl);
                // π_prox, π_ref, and the training pass
                assertEquals(3, chunked.chunkedPasses(), "every pass ran in chunks");
                assertSameStep(whole, chunked, loss + "/" + aggregation + " chunked");
                After micro = step(objective.withMaxLogitElements(ONE_POSITION).withMicroBatchRows(2), setup, rl);
                assertEquals(3 + 3 + 3, micro.chunkedPasses(), "π_prox, π_ref and the update, each in 3 micro-batches");
                assertSameStep(whole, micro, loss + "/" + aggregation + " chunked in micro-batches of 2");
            }
        }
    }

    /**
     * Without an entropy bonus the entropy is still reported: computed chunk by chunk without a
     * graph, the whole head's token mean within 1e-5, and between 0 and ln 16 (the demo's vocabulary).
     */
    @Test
    void theEntropyMetricIsReportedWhenChunked() {
        List<TrainingSample> batch = rlBatch();
        double[] entropies = new double[2];
        long[] bounds = {0, ONE_POSITION};
        for (int i = 0; i < 2; i++) {
            try (Policy policy = Policy.create(PolicyConfig.demo(), 5)) {
                PolicyTrainer trainer = new PolicyTrainer(policy,
                        config(Objective.defaults().withMaxLogitElements(bounds[i])));
                entropies[i] = trainer.rlStep(batch).entropy();
            }
        }
        assertTrue(entropies[0] > 0.1 && entropies[0] < Math.log(16), "entropy " + entropies[0]);
        assertEquals(entropies[0], entropies[1], 1e-5);
    }

    /** A bound the batch fits in changes nothing: the whole head, no chunked pass. */
    @Test
    void aBatchWithinTheBoundUsesTheWholeHead() {
        List<TrainingSample> batch = rlBatch();
        long vocab = PolicyConfig.demo().vocabSize();
        int width = 0;
        for (TrainingSample sample : batch) {
            width = Math.max(width, sample.responseTokens().length);
        }
        // 6 rows × the longest response × vocabulary: exactly at the bound
        long logits = 6 * width * vocab;
        After at = step(Objective.defaults().withMaxLogitElements(logits), c -> c, t -> {
            StepStats s = t.rlStep(batch);
            return new double[] {s.loss(), s.gradNorm()};
        });
        assertEquals(0, at.chunkedPasses());
        After above = step(Objective.defaults().withMaxLogitElements(logits - 1), c -> c, t -> {
            StepStats s = t.rlStep(batch);
            return new double[] {s.loss(), s.gradNorm()};
        });
        assertEquals(2, above.chunkedPasses(), "π_prox and the training pass");
    }

    /**
     * Groups of 3, 2 and 3 responses: the second with equal rewards (no LiPO pair), a truncated
     * response in the third (rewards 0, 1 (truncated), 1: one pair left); temperatures 1 and 0.7.
     */
    private static List<List<GroupSample>> groups() {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 5)) {
            List<List<GroupSample>> groups = new ArrayList<>();
            double[][] rewards = {{1, 0, 0.5}, {1, 1}, {0, 1, 1}};
            int seed = 40;
            for (int g = 0; g < rewards.length; g++) {
                List<GroupSample> group = new ArrayList<>();
                for (int i = 0; i < rewards[g].length; i++) {
                    float temperature = i % 2 == 0 ? 1f : 0.7f;
                    Generation gen = policy.sample(List.of(PROMPTS.get(g)), 2 + (i + g) % 4, temperature, seed++).get(0);
                    group.add(new GroupSample(PROMPTS.get(g), gen.tokens(), gen.logprobs(), rewards[g][i],
                            g == 2 && i == 1, temperature));
                }
                groups.add(group);
            }
            return groups;
        }
    }

    private static Step group(List<List<GroupSample>> groups, GroupObjective objective) {
        return t -> {
            GroupStepStats s = t.groupStep(groups, objective);
            return new double[] {s.step().loss(), s.step().gradNorm()};
        };
    }

    /**
     * Group mode, NFT under every aggregation and LiPO-λ, with an entropy bonus: chunked; in
     * micro-batches of 1 row (one group each: a group is never split) and of 5 rows (groups of 3 + 2,
     * then 3); and both at once, against one pass through the whole head. NFT's 1-row run weighs
     * each group by its share of tokens, rows or rows × width; LiPO-λ's by its share of the groups
     * with a pair (the middle group has none).
     */
    @Test
    void groupStepsInChunksAndMicroBatchesAreTheOnePassStep() {
        List<List<GroupSample>> groups = groups();
        Objective objective = Objective.defaults().withEntropyCoef(0.05).withMaxLogitElements(0);
        List<GroupObjective> objectives = new ArrayList<>();
        for (PolicyLoss.Aggregation aggregation : PolicyLoss.Aggregation.values()) {
            objectives.add(new NegativeAwareFineTuning(0, 1, aggregation::apply));
        }
        objectives.add(new LipoLambda(0.5));
        for (GroupObjective groupObjective : objectives) {
            Step step = group(groups, groupObjective);
            After whole = step(objective, c -> c, step);
            After chunked = step(objective.withMaxLogitElements(ONE_POSITION), c -> c, step);
            assertTrue(chunked.chunkedPasses() >= 2, "chunked passes " + chunked.chunkedPasses());
            assertSameStep(whole, chunked, groupObjective + " chunked");
            for (int rows : new int[] {1, 5}) {
                After micro = step(objective.withMicroBatchRows(rows), c -> c, step);
                assertSameStep(whole, micro, groupObjective + " in micro-batches of " + rows + " rows");
            }
            After both = step(objective.withMicroBatchRows(1).withMaxLogitElements(ONE_POSITION), c -> c, step);
            assertSameStep(whole, both, groupObjective + " chunked in micro-batches of one group");
        }
    }

    /** The micro-batches of group mode: whole groups, as many as fit in the rows, at least one. */
    @Test
    void groupMicroBatchesAreWholeGroups() {
        List<List<GroupSample>> groups = groups(); // 3, 2 and 3 rows
        // each micro-batch of whole groups is its own scoring pass; with the bound at one position
        // every pass is chunked, so the count of chunked passes is π_prox's (8 rows in passes of
        // micro.batch.rows: groups do not matter without gradient) + the micro-batches of groups
        int[][] expected = {{1, 8, 3}, {4, 2, 3}, {5, 2, 2}, {6, 2, 2}, {8, 1, 1}, {0, 1, 1}};
        for (int[] e : expected) {
            After after = step(Objective.defaults().withMicroBatchRows(e[0]).withMaxLogitElements(ONE_POSITION),
                    c -> c, group(groups, new NegativeAwareFineTuning(0, 1, PolicyLoss.Aggregation.TOKEN_MEAN::apply)));
            assertEquals(e[1] + e[2], after.chunkedPasses(), "micro.batch.rows " + e[0]);
        }
    }

    private static List<PreferenceSample> pairs() {
        return List.of(
                new PreferenceSample(PROMPTS.get(0), AnswerTokens.of("85"), AnswerTokens.of("8")),
                new PreferenceSample(PROMPTS.get(1), AnswerTokens.of("22"), AnswerTokens.of("2210")),
                new PreferenceSample(PROMPTS.get(2), AnswerTokens.of("198"), AnswerTokens.of("99")));
    }

    /**
     * Preference mode, DPO, IPO and RPO against a different reference policy (seed 6, so the first
     * step's margins are not 0): chunked, in micro-batches of one pair (2 rows), and both.
     */
    @Test
    void preferenceStepsInChunksAndMicroBatchesAreTheOnePassStep() {
        List<PreferenceSample> pairs = pairs();
        Objective objective = Objective.defaults().withMaxLogitElements(0);
        for (PreferenceLoss.Kind kind : PreferenceLoss.Kind.values()) {
            PreferenceLoss loss = new PreferenceLoss(kind, 0.5, 1);
            Step step = t -> {
                PreferenceStats s = t.preferenceStep(pairs, loss);
                return new double[] {s.loss(), s.gradNorm()};
            };
            After whole = step(objective, c -> c, step);
            After chunked = step(objective.withMaxLogitElements(ONE_POSITION), c -> c, step);
            assertEquals(2, chunked.chunkedPasses(), "π_ref and the training pass");
            assertSameStep(whole, chunked, kind + " chunked");
            After micro = step(objective.withMicroBatchRows(2), c -> c, step);
            assertSameStep(whole, micro, kind + " in micro-batches of one pair");
            After both = step(objective.withMicroBatchRows(3).withMaxLogitElements(ONE_POSITION), c -> c, step);
            assertEquals(2 + 3, both.chunkedPasses(), "π_ref: 6 rows in passes of 3; the update: one pair per pass");
            assertSameStep(whole, both, kind + " chunked in micro-batches of one pair");
        }
    }

    /**
     * SFT: cross-entropy over 4 answers of 2 to 4 tokens (10 tokens), chunked, in micro-batches of
     * 3 rows (3 + 1), and both.
     */
    @Test
    void supervisedStepsInChunksAndMicroBatchesAreTheOnePassStep() {
        List<int[]> targets = List.of(AnswerTokens.of("85"), AnswerTokens.of("22"), AnswerTokens.of("198"),
                AnswerTokens.of("7"));
        Objective objective = Objective.defaults().withMaxLogitElements(0);
        Step step = t -> {
            double loss = t.supervisedStep(PROMPTS, targets);
            return new double[] {loss, t.lastGradNorm()};
        };
        After whole = step(objective, c -> c, step);
        // untrained: near uniform over the 14 producible tokens, ln 14 = 2.64 (PolicyTrainerTest)
        assertEquals(Math.log(14), whole.loss(), 0.3);
        for (Objective variant : List.of(objective.withMaxLogitElements(ONE_POSITION), objective.withMicroBatchRows(3),
                objective.withMicroBatchRows(3).withMaxLogitElements(ONE_POSITION))) {
            After other = step(variant, c -> c, step);
            assertSameStep(whole, other, "sft, micro " + variant.microBatchRows() + ", bound "
                    + variant.maxLogitElements());
        }
    }
}
