package io.rlstream.trainer.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.engine.Engine;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
class PolicyLossTest {

    private static final float OLD = -2f;
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void close() {
        manager.close();
    }

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
        return new PolicyLoss(0.2, 0.28, 3.0, aggregation)
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
        PolicyLoss.Result result = new PolicyLoss(0.2, 0.28, 0, PolicyLoss.Aggregation.TOKEN_MEAN)
                .compute(logprobs(), old(), advantages(), mask());
        // the u = 5 token now contributes 5 instead of 3
        assertEquals(5.02 / 5, result.loss().getFloat(), 1e-5);
    }

    @Test
    void clippedTokensGetNoGradient() {
        NDArray logprobs = logprobs();
        logprobs.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
            PolicyLoss.Result result = new PolicyLoss(0.2, 0.28, 3.0, PolicyLoss.Aggregation.TOKEN_MEAN)
                    .compute(logprobs, old(), advantages(), mask());
            collector.backward(result.loss());
        }
        // d ℓ / d log π = −A·u on unclipped tokens, 0 on clipped, dual-clipped and padding;
        // divided by the 5 tokens of the token mean
        float[] expected = {0f, -0.5f / 5, 0f, 0f, 0f, 1f / 5};
        assertArrayEquals(expected, logprobs.getGradient().toFloatArray(), 1e-5f);
    }
}
