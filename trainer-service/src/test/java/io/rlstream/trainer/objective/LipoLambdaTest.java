package io.rlstream.trainer.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * LiPO-λ (arXiv 2402.01878, eq. 8, with LambdaLoss's DCG weights) with β = 0.1 on two-token
 * responses; the reference policy gives −1 per token (−2 per response). Group 0 has rewards
 * ψ = 1, 0, 0 and policy sums −2, 0, −3, so s = 0.1·(0, 2, −1) = (0, 0.2, −0.1), ranks by s
 * τ = (2, 1, 3), gains G = 2^ψ − 1 = (1, 0, 0). Pairs with ψ_i &gt; ψ_j: (0,1) and (0,2):
 *
 * <pre>
 *   Δ01 = |1 − 0|·|1/log2(3) − 1/log2(2)| = 0.36907025    loss Δ·log(1 + e^(0.2))  = Δ·0.79813887
 *   Δ02 = |1 − 0|·|1/log2(3) − 1/log2(4)| = 0.13092975    loss Δ·log(1 + e^(−0.1)) = Δ·0.64439666
 * </pre>
 *
 * Sum 0.37894001. d/ds of the pair terms: row 0 −(Δ01·σ(0.2) + Δ02·σ(−0.1)), row 1 Δ01·σ(0.2),
 * row 2 Δ02·σ(−0.1), times β for d/d log π of each token: −0.02651217, 0.02029274, 0.00621944.
 */
class LipoLambdaTest extends PyTorchArrays {

    private NDArray rows(float... values) {
        return manager.create(values, new Shape(values.length / 2, 2));
    }

    private NDArray reference(int rows) {
        float[] values = new float[2 * rows];
        java.util.Arrays.fill(values, -1f);
        return rows(values);
    }

    private NDArray ones(int rows) {
        float[] values = new float[2 * rows];
        java.util.Arrays.fill(values, 1f);
        return rows(values);
    }

    private static GroupObjective.Result compute(NDArray logprobs, NDArray ref, NDArray mask, double[] rewards,
            int[] groups) {
        return new LipoLambda(0.1).compute(new GroupObjective.Input(logprobs, ref, ref, mask, rewards, groups));
    }

    /** Group 0 of the class comment, then a group of equal rewards (no pair: it does not count). */
    private NDArray policy() {
        return rows(-1f, -1f, -0.5f, 0.5f, -1.5f, -1.5f, -1f, -1f, -1f, -1f);
    }

    private static final double[] REWARDS = {1, 0, 0, 0.5, 0.5};
    private static final int[] GROUPS = {0, 0, 0, 1, 1};

    /**
     * Gradient accumulation's weights: the loss is a mean over groups with a pair of different
     * rewards. {@link #REWARDS}: only group 0 has one, so it weighs 1 and group 1 weighs 0; with
     * group 1's rewards made different, 1/2 each; with one of its two rows masked, again 1 and 0.
     */
    @Test
    void sharesCountTheGroupsWithAPair() {
        LipoLambda lipo = new LipoLambda(0.1);
        assertEquals(1.0, lipo.share(ones(5), REWARDS, GROUPS, 0, 3, 2), 0.0);
        assertEquals(0.0, lipo.share(ones(5), REWARDS, GROUPS, 3, 5, 2), 0.0);
        double[] both = {1, 0, 0, 0.5, 1};
        assertEquals(0.5, lipo.share(ones(5), both, GROUPS, 0, 3, 2), 0.0);
        assertEquals(0.5, lipo.share(ones(5), both, GROUPS, 3, 5, 2), 0.0);
        NDArray lastMasked = rows(1, 1, 1, 1, 1, 1, 1, 1, 0, 0);
        assertEquals(1.0, lipo.share(lastMasked, both, GROUPS, 0, 3, 2), 0.0);
        assertEquals(0.0, lipo.share(lastMasked, both, GROUPS, 3, 5, 2), 0.0);
    }

    @Test
    void lambdaWeightedPairsOfOneList() {
        GroupObjective.Result result = compute(policy(), reference(5), ones(5), REWARDS, GROUPS);
        assertEquals(0.37894001, result.loss().getFloat(), 1e-6);
        assertEquals(2, result.terms());
        // pair (0,1) is ranked the wrong way round (s0 − s1 = −0.2), pair (0,2) right (+0.1)
        assertEquals(0.5, result.rankAccuracy(), 1e-9);
        assertEquals(-0.05, result.meanMargin(), 1e-6);
    }

    @Test
    void gradientsAreTheHandComputedOnesAndMatchFiniteDifferences() {
        Shape shape = new Shape(5, 2);
        double[] x = toDoubles(policy());
        Function<NDArray, NDArray> loss = lp -> compute(lp, reference(5), ones(5), REWARDS, GROUPS).loss();
        double[] autograd = GradientCheck.autograd(manager, x, shape, DataType.FLOAT32, loss);
        double a = -0.02651217;
        double b = 0.02029274;
        double c = 0.00621944;
        assertArrayEquals(new double[] {a, a, b, b, c, c, 0, 0, 0, 0}, autograd, 1e-6);
        // steps of 1e-2 in log π move s by 1e-3, far from any tie, so the ranks do not change
        assertArrayEquals(GradientCheck.finiteDifference(manager, x, shape, DataType.FLOAT32, loss, 1e-2),
                autograd, 1e-4);
    }

    @Test
    void theLossIsTheMeanOverListsAndTiesRankTheEarlierRowFirst() {
        // a second list (1, 0) at the reference: s = (0, 0), ranks 1 and 2 by row order,
        // Δ = 1 − 1/log2(3) = 0.36907025, loss Δ·log 2 = 0.25582000; mean (0.37894001 + 0.25582)/2
        NDArray logprobs = rows(-1f, -1f, -0.5f, 0.5f, -1.5f, -1.5f, -1f, -1f, -1f, -1f);
        GroupObjective.Result result = compute(logprobs, reference(5), ones(5), new double[] {1, 0, 0, 1, 0},
                new int[] {0, 0, 0, 1, 1});
        assertEquals(0.31738000, result.loss().getFloat(), 1e-6);
        assertEquals(3, result.terms());
    }

    @Test
    void aMaskedResponseTakesNoPart() {
        // row 1 truncated: the list is rows 0 and 2, s = (0, −0.1), ranks 1 and 2,
        // Δ = 1 − 1/log2(3), loss Δ·log(1 + e^(−0.1)) = 0.23782763
        NDArray mask = rows(1, 1, 0, 0, 1, 1, 1, 1, 1, 1);
        GroupObjective.Result result = compute(policy(), reference(5), mask, REWARDS, GROUPS);
        assertEquals(0.23782763, result.loss().getFloat(), 1e-6);
        assertEquals(1, result.terms());
    }

    @Test
    void listsOfEqualRewardsGiveNothingToLearn() {
        GroupObjective.Result result = compute(reference(2), reference(2), ones(2), new double[] {1, 1},
                new int[] {0, 0});
        assertEquals(0, result.terms());
        assertEquals(0f, result.loss().getFloat(), 0f);
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
