package io.rlstream.trainer.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.engine.Engine;
import ai.djl.training.GradientCollector;
import io.rlstream.trainer.objective.GradientCheck;
import io.rlstream.trainer.objective.ImportanceCorrection;
import io.rlstream.trainer.objective.PyTorchArrays;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Two responses, ε_low = 0.2, ε_high = 0.28, dual clip c = 3, padded to 3 tokens:
 *
 * <pre>
 *   sequence 1, A = +1, ratios u = 1.5, 0.5        (third position is padding)
 *     u = 1.5: max(−1.5, −1.28) = −1.28   clipped at 1 + ε_high
 *     u = 0.5: max(−0.5, −0.80) = −0.50   not clipped (A &gt; 0 only clips upwards)
 *   sequence 2, A = −1, ratios u = 0.5, 5.0, 1.0
 *     u = 0.5: max(0.5, 0.8)   = 0.80     clipped at 1 − ε_low
 *     u = 5.0: max(5.0, 1.28)  = 5.00 → min(5.0, c·|A| = 3) = 3.00   dual clip
 *     u = 1.0: max(1.0, 1.0)   = 1.00
 * </pre>
 *
 * Sum of token losses = −1.28 − 0.5 + 0.8 + 3 + 1 = 3.02 over 5 tokens.
 */
class ClippedSurrogateTest extends PyTorchArrays {

    private static final float OLD = -2f;

    private NDArray logprobs() {
        // log π_θ = log π_old + log u; padding gets 0 like the policy's scorer returns
        return manager.create(new float[] {
                OLD + (float) Math.log(1.5), OLD + (float) Math.log(0.5), 0f,
                OLD + (float) Math.log(0.5), OLD + (float) Math.log(5.0), OLD}, new Shape(2, 3));
    }

    private NDArray old() {
        return manager.create(new float[] {OLD, OLD, 0f, OLD, OLD, OLD}, new Shape(2, 3));
    }

    private NDArray advantages() {
        return manager.create(new float[] {1f, -1f}, new Shape(2, 1));
    }

    private NDArray mask() {
        return manager.create(new float[] {1, 1, 0, 1, 1, 1}, new Shape(2, 3));
    }

    private PolicyLoss.Result compute(PolicyLoss.Aggregation aggregation) {
        return new ClippedSurrogate(0.2, 0.28, 3.0, aggregation)
                .compute(logprobs(), old(), advantages(), mask());
    }

    @Test
    void tokenMeanIsTheSumOverAllResponseTokens() {
        PolicyLoss.Result result = compute(PolicyLoss.Aggregation.TOKEN_MEAN);
        assertEquals(3.02 / 5, result.loss().getFloat(), 1e-5);
        // clipped term larger on tokens (1,1) and (2,1) only: 2 of 5
        assertEquals(0.4, result.clipFraction(), 1e-6);
        assertEquals((1.5 + 0.5 + 0.5 + 5 + 1) / 5, result.meanRatio(), 1e-5);
    }

    @Test
    void otherAggregationsFollowAlgorithmsSection4() {
        // seq-mean-token-mean: mean of (−1.78 / 2) and (4.8 / 3)
        assertEquals((-1.78 / 2 + 4.8 / 3) / 2,
                compute(PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_MEAN).loss().getFloat(), 1e-5);
        // seq-mean-token-sum-norm: 3.02 / (B = 2 · L_max = 3)
        assertEquals(3.02 / 6,
                compute(PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_SUM_NORM).loss().getFloat(), 1e-5);
    }

    @Test
    void dualClipCanBeSwitchedOff() {
        PolicyLoss.Result result = new ClippedSurrogate(0.2, 0.28, 0, PolicyLoss.Aggregation.TOKEN_MEAN)
                .compute(logprobs(), old(), advantages(), mask());
        // the u = 5 token now contributes 5 instead of 3
        assertEquals(5.02 / 5, result.loss().getFloat(), 1e-5);
    }

    @Test
    void clippedTokensGetNoGradient() {
        NDArray logprobs = logprobs();
        logprobs.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            PolicyLoss.Result result = new ClippedSurrogate(0.2, 0.28, 3.0, PolicyLoss.Aggregation.TOKEN_MEAN)
                    .compute(logprobs, old(), advantages(), mask());
            collector.backward(result.loss());
        }
        // d ℓ / d log π = −A·u on unclipped tokens, 0 on clipped, dual-clipped and padding;
        // divided by the 5 tokens of the token mean
        float[] expected = {0f, -0.5f / 5, 0f, 0f, 0f, 1f / 5};
        assertArrayEquals(expected, logprobs.getGradient().toFloatArray(), 1e-5f);
    }

    private static final ClippedSurrogate TOKEN_MEAN =
            new ClippedSurrogate(0.2, 0.28, 3.0, PolicyLoss.Aggregation.TOKEN_MEAN);

    /** w_t for the six positions; the 7 sits on padding and must count nowhere. */
    private NDArray weights() {
        return manager.create(new float[] {2f, 0.5f, 7f, 1f, 0f, 1.5f}, new Shape(2, 3));
    }

    private float[] gradient(PolicyLoss loss, NDArray behaviourWeights) {
        NDArray logprobs = logprobs();
        logprobs.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            collector.backward(behaviourWeights == null
                    ? loss.compute(logprobs, old(), advantages(), mask()).loss()
                    : loss.compute(logprobs, old(), advantages(), mask(), behaviourWeights).loss());
        }
        return logprobs.getGradient().toFloatArray();
    }

    @Test
    void decoupledOnPolicyIsThePlainLossExactly() {
        // π_prox = π_behav: every behaviour weight is exp(0) = 1, so value and gradient must not
        // move by a single bit, in every aggregation and with or without truncation
        NDArray unit = new ImportanceCorrection(ImportanceCorrection.Mode.TIS,
                ImportanceCorrection.Level.TOKEN, 2, 0.5, 5).weights(old(), old(), mask()).weights();
        for (PolicyLoss.Aggregation aggregation : PolicyLoss.Aggregation.values()) {
            PolicyLoss loss = new ClippedSurrogate(0.2, 0.28, 3.0, aggregation);
            PolicyLoss.Result plain = loss.compute(logprobs(), old(), advantages(), mask());
            PolicyLoss.Result decoupled = loss.compute(logprobs(), old(), advantages(), mask(), unit);
            assertEquals(plain.loss().getFloat(), decoupled.loss().getFloat(), 0f, aggregation.name());
            assertEquals(plain.clipFraction(), decoupled.clipFraction(), 0);
            assertEquals(plain.meanRatio(), decoupled.meanRatio(), 0);
            assertArrayEquals(gradient(loss, null), gradient(loss, unit), 0f, aggregation.name());
            // null weights mean 1 everywhere
            assertEquals(plain.loss().getFloat(),
                    loss.compute(logprobs(), old(), advantages(), mask(), null).loss().getFloat(), 0f);
        }
    }

    /**
     * The token losses of the class comment times w = 2, 0.5, (pad), 1, 0, 1.5:
     *
     * <pre>
     *   sequence 1:  2·(−1.28) = −2.56    0.5·(−0.5) = −0.25                 sum −2.81
     *   sequence 2:  1·0.8     =  0.8     0·3        =  0      1.5·1 = 1.5   sum  2.3
     * </pre>
     *
     * Σ w·ℓ = −0.51. The normalisers do not change: token-mean −0.51/5 = −0.102;
     * seq-mean-token-mean (−2.81/2 + 2.3/3)/2 = (−1.405 + 0.7666667)/2 = −0.3191667;
     * seq-mean-token-sum-norm −0.51/6 = −0.085.
     */
    @Test
    void behaviourWeightsScaleEachTokenLossBeforeAggregation() {
        PolicyLoss.Result result = TOKEN_MEAN.compute(logprobs(), old(), advantages(), mask(), weights());
        assertEquals(-0.102, result.loss().getFloat(), 1e-5);
        // diagnostics stay unweighted
        assertEquals(0.4, result.clipFraction(), 1e-6);
        assertEquals(-0.3191667, new ClippedSurrogate(0.2, 0.28, 3.0,
                PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_MEAN)
                .compute(logprobs(), old(), advantages(), mask(), weights()).loss().getFloat(), 1e-5);
        assertEquals(-0.085, new ClippedSurrogate(0.2, 0.28, 3.0,
                PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_SUM_NORM)
                .compute(logprobs(), old(), advantages(), mask(), weights()).loss().getFloat(), 1e-5);
        // gradient −w·A·u/5 on the two unclipped tokens: −0.5·1·0.5/5 = −0.05 and
        // −1.5·(−1)·1/5 = 0.3; clipped, dual-clipped and padding tokens stay at 0
        assertArrayEquals(new float[] {0f, -0.05f, 0f, 0f, 0f, 0.3f},
                gradient(TOKEN_MEAN, weights()), 1e-6f);
    }

    @Test
    void decoupledGradientMatchesFiniteDifferences() {
        // steps of 0.01 in log π stay inside every piece of the clipped surrogate here (the
        // nearest kink is u = 1.5 against 1.28); the loss runs in float32 as in training
        Shape shape = new Shape(2, 3);
        double[] x = new double[6];
        float[] start = logprobs().toFloatArray();
        for (int i = 0; i < 6; i++) {
            x[i] = start[i];
        }
        Function<NDArray, NDArray> loss = logprobs ->
                TOKEN_MEAN.compute(logprobs, old(), advantages(), mask(), weights()).loss();
        double[] autograd = GradientCheck.autograd(manager, x, shape, DataType.FLOAT32, loss);
        assertArrayEquals(new double[] {0, -0.05, 0, 0, 0, 0.3}, autograd, 1e-6);
        assertArrayEquals(GradientCheck.finiteDifference(manager, x, shape, DataType.FLOAT32, loss,
                1e-2), autograd, 1e-4);
    }
}
