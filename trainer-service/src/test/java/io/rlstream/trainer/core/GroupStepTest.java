package io.rlstream.trainer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.model.Generation;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.trainer.objective.LipoLambda;
import io.rlstream.trainer.objective.NegativeAwareFineTuning;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link PolicyTrainer#groupStep} with NFT and LiPO-λ on the demo's tiny policy. */
class GroupStepTest {

    private static final CharTokenizer TOKENIZER = AnswerTokens.TOKENIZER;
    private static final int[] PROMPT = TOKENIZER.encodePrompt("37+48=");

    private static TrainerConfig config() {
        return TrainerConfig.defaults().withWarmupSteps(0).withDecaySteps(0).withUpdatesPerBatch(1)
                .withLearningRate(1e-3);
    }

    private static double sequenceLogprob(Policy policy, int[] response) {
        try (NDManager scope = policy.newScope()) {
            List<int[]> responses = new ArrayList<>();
            responses.add(response);
            return policy.responseLogprobs(scope, List.of(PROMPT), responses, 1f, false).logprobs().sum().getFloat();
        }
    }

    /** The behaviour log-probabilities of a response under the policy, as a generator would have sent them. */
    private static GroupSample scored(Policy policy, int[] response, double reward) {
        try (NDManager scope = policy.newScope()) {
            List<int[]> responses = new ArrayList<>();
            responses.add(response);
            float[] logprobs = policy.responseLogprobs(scope, List.of(PROMPT), responses, 1f, false).logprobs()
                    .toFloatArray();
            return new GroupSample(PROMPT, response, logprobs, reward, false);
        }
    }

    /**
     * Issue 15, fix 5, in group mode too: responses sampled at 0.5 carry it; with π_old = π_behav
     * (coupled, so the sampler's log-probs are the denominator) the first update is on-policy only
     * when π_θ is scored at 0.5 as well: every NFT ratio is 1. Scored at trainer.temperature = 1
     * instead, the ratios are π(T=1)/π(T=0.5) ≠ 1.
     */
    @Test
    void groupModeScoresEachSampleAtItsOwnTemperature() {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 5)) {
            Objective coupled = Objective.defaults().withCorrection(false, Objective.defaults().correction(),
                    Objective.defaults().correctionLevel(), 2, 0.5, 5);
            List<GroupSample> group = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Generation g = policy.sample(List.of(PROMPT), 4, 0.5f, 31 + i).get(0);
                group.add(new GroupSample(PROMPT, g.tokens(), g.logprobs(), i % 2, false, 0.5f));
            }
            GroupStepStats stats = new PolicyTrainer(policy, config().withObjective(coupled)).groupStep(List.of(group),
                    new NegativeAwareFineTuning(0, 1, PolicyLoss.Aggregation.TOKEN_MEAN::apply));
            assertEquals(1.0, stats.step().meanRatio(), 1e-4);
        }
    }

    @Test
    void nftRaisesTheCorrectResponseAndLowersTheIncorrectOne() {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 5)) {
            int[] right = AnswerTokens.of("85");
            int[] wrong = AnswerTokens.of("84");
            double rightBefore = sequenceLogprob(policy, right);
            double wrongBefore = sequenceLogprob(policy, wrong);
            PolicyTrainer trainer = new PolicyTrainer(policy, config());
            GroupStepStats stats = trainer.groupStep(List.of(List.of(scored(policy, right, 1), scored(policy, wrong, 0))),
                    new NegativeAwareFineTuning(0, 1, PolicyLoss.Aggregation.TOKEN_MEAN::apply));
            // on-policy first update: R = 1, −log 1 = 0 and −log max(1, 1) = 0, so the loss is 0
            assertEquals(0.0, stats.step().loss(), 1e-6);
            assertEquals(1.0, stats.step().meanRatio(), 1e-5);
            assertEquals(6, stats.terms(), "3 + 3 response tokens");
            assertTrue(sequenceLogprob(policy, right) > rightBefore, "the correct response gained");
            assertTrue(sequenceLogprob(policy, wrong) < wrongBefore, "the incorrect response lost");
        }
    }

    @Test
    void lipoStartsAtTheReferenceAndSeparatesTheRankedResponses() {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 5);
                Policy reference = Policy.create(PolicyConfig.demo(), 5)) {
            List<GroupSample> group = List.of(scored(policy, AnswerTokens.of("85"), 1),
                    scored(policy, AnswerTokens.of("84"), 0));
            PolicyTrainer trainer = new PolicyTrainer(policy, reference, config());
            LipoLambda lipo = new LipoLambda(0.1);
            GroupStepStats first = trainer.groupStep(List.of(group), lipo);
            // π = π_ref: s = (0, 0), ranks by row order 1 and 2, Δ = 1 − 1/log2(3), loss Δ·log 2
            assertEquals((1 - Math.log(2) / Math.log(3)) * Math.log(2), first.step().loss(), 1e-5);
            assertEquals(1, first.terms());
            GroupStepStats last = first;
            for (int i = 0; i < 10; i++) {
                last = trainer.groupStep(List.of(group), lipo);
            }
            assertTrue(last.meanMargin() > 0 && last.step().loss() < first.step().loss(),
                    "after 11 steps margin " + last.meanMargin() + ", loss " + last.step().loss());
            assertEquals(1.0, last.rankAccuracy(), 0.0);
        }
    }

    @Test
    void aListOfEqualRewardsTakesNoOptimizerStep() {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 5);
                Policy reference = Policy.create(PolicyConfig.demo(), 5)) {
            List<GroupSample> group = List.of(scored(policy, AnswerTokens.of("85"), 1),
                    scored(policy, AnswerTokens.of("84"), 1));
            PolicyTrainer trainer = new PolicyTrainer(policy, reference, config());
            GroupStepStats stats = trainer.groupStep(List.of(group), new LipoLambda(0.1));
            assertEquals(0, stats.terms());
            assertEquals(0, trainer.optimizerSteps());
        }
    }

    @Test
    void miniBatchesKeepGroupsWholeAndLipoNeedsTheReference() {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 5)) {
            List<List<GroupSample>> groups = new ArrayList<>();
            for (String[] answers : new String[][] {{"85", "84"}, {"85", "86"}, {"85", "83"}}) {
                groups.add(List.of(scored(policy, AnswerTokens.of(answers[0]), 1),
                        scored(policy, AnswerTokens.of(answers[1]), 0)));
            }
            PolicyTrainer trainer = new PolicyTrainer(policy, config().withUpdatesPerBatch(2)
                    .withObjective(Objective.defaults().withMiniBatches(2)));
            GroupStepStats stats = trainer.groupStep(groups,
                    new NegativeAwareFineTuning(0, 1, PolicyLoss.Aggregation.TOKEN_MEAN::apply));
            assertEquals(4, trainer.optimizerSteps(), "2 epochs x 2 mini-batches");
            // the last mini-batch holds groups [1, 3): 2 whole groups of 2 responses of 3 tokens
            assertEquals(12, stats.terms());
            assertThrows(IllegalStateException.class, () -> trainer.groupStep(groups, new LipoLambda(0.1)));
        }
    }
}
