package io.rlstream.trainer.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.rlstream.trainer.core.PolicyLoss;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * NFT (arXiv 2505.18116) as NVlabs/NFT's dp_actor.py computes it, on one-token responses so that
 * every number is a line of arithmetic. Group A has rewards 1, 1, 0, 0 (success rate r̂ = 0.5,
 * weight 1 − r̂ = 0.5), group B rewards 1, 1 (r̂ = 1 clamped to 0.98, weight 0.02):
 *
 * <pre>
 *   row  c  R = π/π_old   term                                          ℓ = term·(1 − r̂)   dℓ/dlog π
 *   0    1  2             −log 2                                        −0.3465736         −0.5
 *   1    1  0.5           −log 0.5                                       0.3465736         −0.5
 *   2    0  0.5           −log((1 − 0.25)/0.5) = −log 1.5               −0.2027326          0.5·0.25/(0.5·1.5)·0.5 = 0.1666667
 *   3    0  1.5           (1 − 0.75)/0.5 = 0.5, clamped to 1 → 0          0                 0.5·1.5/(0.5·1)·0.5   = 0.75
 *   4    1  1             −log 1 = 0                                       0                 −0.02
 *   5    1  1             0                                                0                 −0.02
 * </pre>
 *
 * Token mean over 6 tokens: −0.2027326/6 = −0.03378876; gradients divided by 6.
 */
class NegativeAwareFineTuningTest extends PyTorchArrays {

    private static final float OLD = -1f;
    private static final double[] REWARDS = {1, 1, 0, 0, 1, 1};
    private static final int[] GROUPS = {0, 0, 0, 0, 1, 1};
    private NDArray logprobs(double... ratios) {
        float[] values = new float[ratios.length];
        for (int i = 0; i < ratios.length; i++) {
            values[i] = OLD + (float) Math.log(ratios[i]);
        }
        return manager.create(values, new Shape(ratios.length, 1));
    }

    private NDArray constant(int rows, float value) {
        float[] values = new float[rows];
        java.util.Arrays.fill(values, value);
        return manager.create(values, new Shape(rows, 1));
    }

    private static NegativeAwareFineTuning nft(double low, double high) {
        return new NegativeAwareFineTuning(low, high, PolicyLoss.Aggregation.TOKEN_MEAN::apply);
    }

    private GroupObjective.Result compute(NegativeAwareFineTuning nft, NDArray logprobs, double[] rewards) {
        int rows = rewards.length;
        return nft.compute(new GroupObjective.Input(logprobs, constant(rows, OLD), null, constant(rows, 1f), rewards,
                GROUPS));
    }

    @Test
    void lossFollowsTheNvlabsFormula() {
        GroupObjective.Result result = compute(nft(0, 1), logprobs(2, 0.5, 0.5, 1.5, 1, 1), REWARDS);
        assertEquals(-0.03378876, result.loss().getFloat(), 1e-6);
        assertEquals(6, result.terms());
        // the negative clamp is active on row 3 only
        assertEquals(1.0 / 6, result.clipFraction(), 1e-6);
        assertEquals((2 + 0.5 + 0.5 + 1.5 + 1 + 1) / 6, result.meanRatio(), 1e-5);
    }

    @Test
    void plusMinusOneRewardsMapAsNvlabsDoes() {
        // NVlabs: c = (r + 1)/2 and r̂ = (mean r + 1)/2 of ±1 rewards, the same numbers as above
        double[] plusMinus = {1, 1, -1, -1, 1, 1};
        assertEquals(-0.03378876, compute(nft(-1, 1), logprobs(2, 0.5, 0.5, 1.5, 1, 1), plusMinus).loss().getFloat(),
                1e-6);
    }

    @Test
    void gradientsAreTheHandComputedOnesAndTheClampPassesItsGradient() {
        Shape shape = new Shape(6, 1);
        double[] x = toDoubles(logprobs(2, 0.5, 0.5, 1.5, 1, 1));
        double[] autograd = GradientCheck.autograd(manager, x, shape, DataType.FLOAT32,
                lp -> compute(nft(0, 1), lp, REWARDS).loss());
        assertArrayEquals(new double[] {-0.5 / 6, -0.5 / 6, 0.1666667 / 6, 0.75 / 6, -0.02 / 6, -0.02 / 6},
                autograd, 1e-6);
    }

    @Test
    void gradientMatchesFiniteDifferencesWhereNoClampActs() {
        // row 3 at R = 0.8: (1 − 0.4)/0.5 = 1.2 ≥ 1, so the loss is smooth around this point
        Shape shape = new Shape(6, 1);
        double[] x = toDoubles(logprobs(2, 0.5, 0.5, 0.8, 1.2, 0.9));
        Function<NDArray, NDArray> loss = lp -> compute(nft(0, 1), lp, REWARDS).loss();
        assertArrayEquals(GradientCheck.finiteDifference(manager, x, shape, DataType.FLOAT32, loss, 1e-2),
                GradientCheck.autograd(manager, x, shape, DataType.FLOAT32, loss), 1e-4);
    }

    @Test
    void onPolicyItIsHalfOfDrGrpo() {
        // rewards ±1 = 1, −1, −1, −1: Dr.GRPO's advantage r − mean = 1.5, −0.5, −0.5, −0.5; NFT's
        // gradient on the first update is −(1 − r̂) = −0.75 and r̂ = 0.25: −A/2 per token (÷4 tokens)
        double[] rewards = {1, -1, -1, -1};
        Shape shape = new Shape(4, 1);
        double[] x = toDoubles(logprobs(1, 1, 1, 1));
        double[] autograd = GradientCheck.autograd(manager, x, shape, DataType.FLOAT32, lp -> nft(-1, 1)
                .compute(new GroupObjective.Input(lp, constant(4, OLD), null, constant(4, 1f), rewards,
                        new int[] {0, 0, 0, 0})).loss());
        assertArrayEquals(new double[] {-0.75 / 4, 0.25 / 4, 0.25 / 4, 0.25 / 4}, autograd, 1e-6);
    }

    @Test
    void aRatioThatUnderflowsStaysFinite() {
        // log-ratio −200 on a correct token: R = e^−200 is 0 in float32, but −log R = 200 exactly;
        // its token loss is 200·(1 − r̂) = 100 of the 6 tokens' sum (the others as in the class comment)
        NDArray logprobs = logprobs(1, 0.5, 0.5, 1.5, 1, 1);
        float[] values = logprobs.toFloatArray();
        values[0] = OLD - 200f;
        GroupObjective.Result result = compute(nft(0, 1), manager.create(values, new Shape(6, 1)), REWARDS);
        assertEquals((100 + 0.3465736 - 0.2027326) / 6, result.loss().getFloat(), 1e-4);
    }

    @Test
    void successRatesAreClampedAndRewardsBeyondTheRangeCountAsTheirEnd() {
        NegativeAwareFineTuning nft = nft(0, 1);
        // rewards 1.1 (a format bonus) and −0.5 count as 1 and 0; group means 1 → 0.98, 0 → 0.02, 0.5
        assertArrayEquals(new double[] {0.98, 0.98, 0.02, 0.02, 0.5, 0.5},
                nft.successRates(new double[] {1.1, 1, -0.5, 0, 1, 0}, new int[] {0, 0, 1, 1, 2, 2}), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> nft(1, 1));
    }

    /**
     * Gradient accumulation's weights: a (4, 3) mask with response lengths 3, 1 | 2, 1 (groups
     * {0, 0} and {1, 1}), parts rows [0, 2) padded to 3 columns and [2, 4) to 2. By hand: token mean
     * N_part/N = 4/7 and 3/7; sequence means B_part/B = 1/2 each; sum-norm B_part·w_part/(B·R)
     * = 2·3/(4·3) = 1/2 and 2·2/(4·3) = 1/3.
     */
    @Test
    void sharesWeighAPartAsTheWholeAggregationDoes() {
        NDArray mask = manager.create(new float[] {1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 0, 0}, new Shape(4, 3));
        double[] rewards = {1, 0, 1, 0};
        int[] groups = {0, 0, 1, 1};
        double[][] expected = {{4.0 / 7, 3.0 / 7}, {0.5, 0.5}, {0.5, 1.0 / 3}};
        PolicyLoss.Aggregation[] aggregations = {PolicyLoss.Aggregation.TOKEN_MEAN,
                PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_MEAN, PolicyLoss.Aggregation.SEQ_MEAN_TOKEN_SUM_NORM};
        for (int a = 0; a < aggregations.length; a++) {
            NegativeAwareFineTuning nft = new NegativeAwareFineTuning(0, 1, aggregations[a]::apply);
            assertEquals(expected[a][0], nft.share(mask, rewards, groups, 0, 2, 3), 1e-6, aggregations[a] + " part 0");
            assertEquals(expected[a][1], nft.share(mask, rewards, groups, 2, 4, 2), 1e-6, aggregations[a] + " part 1");
        }
    }

    private static double[] toDoubles(NDArray array) {
        float[] values = array.toFloatArray();
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
