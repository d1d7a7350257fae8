package io.rlstream.trainer.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.rlstream.trainer.objective.PreferenceLoss.Kind;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Two pairs, β = 0.1, α = 1:
 *
 * <pre>
 *            log π(c)  log π_ref(c)  |c|   log π(r)  log π_ref(r)  |r|
 *   pair 1     −10        −12         4      −14        −13          2
 *   pair 2     −20        −19         5      −15        −16          5
 * </pre>
 *
 * Summed: s₁ = (−10 + 12) − (−14 + 13) = 2 + 1 = 3 and s₂ = (−20 + 19) − (−15 + 16) = −1 − 1 = −2,
 * so β·s = 0.3 and −0.2. Length-averaged (IPO): s₁ = (−2.5 + 3) − (−7 + 6.5) = 1 and
 * s₂ = (−4 + 3.8) − (−3 + 3.2) = −0.4.
 */
class PreferenceLossTest extends PyTorchArrays {

    private NDArray of(float... values) {
        return manager.create(values);
    }

    /** The loss with the table's numbers; gradients of log π(c), log π(r) in {@code gradients}. */
    private PreferenceLoss.Result compute(PreferenceLoss loss, float[][] gradients) {
        NDArray chosen = of(-10, -20);
        NDArray rejected = of(-14, -15);
        chosen.setRequiresGradient(true);
        rejected.setRequiresGradient(true);
        PreferenceLoss.Result result;
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            result = loss.compute(chosen, rejected, of(-12, -19), of(-13, -16), of(4, 5), of(2, 5));
            collector.backward(result.loss());
        }
        gradients[0] = chosen.getGradient().toFloatArray();
        gradients[1] = rejected.getGradient().toFloatArray();
        return result;
    }

    /**
     * <pre>
     *   softplus(−0.3) = log(1 + 0.7408182) = 0.5543552
     *   softplus(0.2)  = log(1 + 1.2214028) = 0.7981389      mean 0.6762471
     *   d/d log π(c) = −β·σ(−β·s)/B:  −0.1·σ(−0.3)/2 = −0.1·0.4255575/2 = −0.0212779
     *                                 −0.1·σ(0.2)/2  = −0.1·0.5498340/2 = −0.0274917
     *   d/d log π(r) = the same with the sign flipped
     * </pre>
     */
    @Test
    void dpoIsTheMeanSoftplusOfMinusBetaS() {
        float[][] gradients = new float[2][];
        PreferenceLoss.Result result = compute(PreferenceLoss.dpo(), gradients);
        assertEquals(0.6762471, result.loss().getFloat(), 1e-6);
        // s₁ = 3 > 0, s₂ = −2: half the pairs ranked right; margin (0.3 − 0.2)/2 = 0.05
        assertEquals(0.5, result.rewardAccuracy(), 0);
        assertEquals(0.05, result.meanMargin(), 1e-6);
        assertArrayEquals(new float[] {-0.0212779f, -0.0274917f}, gradients[0], 1e-7f);
        assertArrayEquals(new float[] {0.0212779f, 0.0274917f}, gradients[1], 1e-7f);
    }

    /**
     * 1/(2β) = 5: (1 − 5)² = 16 and (−0.4 − 5)² = 29.16, mean 22.58. d/d log π(c) =
     * 2(s − 5)/(B·|c|) = 2·(−4)/(2·4) = −1 and 2·(−5.4)/(2·5) = −1.08; d/d log π(r) =
     * −2(s − 5)/(B·|r|) = 8/(2·2) = 2 and 10.8/(2·5) = 1.08.
     */
    @Test
    void ipoRegressesTheLengthAveragedMarginOntoOneOverTwoBeta() {
        float[][] gradients = new float[2][];
        PreferenceLoss.Result result = compute(new PreferenceLoss(Kind.IPO, 0.1, 1), gradients);
        assertEquals(22.58, result.loss().getFloat(), 1e-4);
        assertEquals(0.5, result.rewardAccuracy(), 0);
        // β·mean(s) with the averaged s: 0.1·(1 − 0.4)/2 = 0.03
        assertEquals(0.03, result.meanMargin(), 1e-6);
        assertArrayEquals(new float[] {-1f, -1.08f}, gradients[0], 1e-5f);
        assertArrayEquals(new float[] {2f, 1.08f}, gradients[1], 1e-5f);
    }

    /**
     * DPO's 0.6762471 plus α·mean(−log π(c)/|c|) = mean(10/4, 20/5) = (2.5 + 4)/2 = 3.25, total
     * 3.9262471. The NLL adds −α/(B·|c|) = −1/8 and −1/10 to DPO's chosen gradient:
     * −0.0212779 − 0.125 = −0.1462779 and −0.0274917 − 0.1 = −0.1274917; rejected as DPO.
     */
    @Test
    void rpoAddsTheChosenResponsesPerTokenNll() {
        float[][] gradients = new float[2][];
        PreferenceLoss.Result result = compute(new PreferenceLoss(Kind.RPO, 0.1, 1), gradients);
        assertEquals(3.9262471, result.loss().getFloat(), 1e-5);
        assertEquals(0.5, result.rewardAccuracy(), 0);
        assertEquals(0.05, result.meanMargin(), 1e-6);
        assertArrayEquals(new float[] {-0.1462779f, -0.1274917f}, gradients[0], 1e-6f);
        assertArrayEquals(new float[] {0.0212779f, 0.0274917f}, gradients[1], 1e-7f);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        // x = (log π(c₁), log π(c₂), log π(r₁), log π(r₂)) in float64
        double[] x = {-10, -20, -14, -15};
        Shape shape = new Shape(2, 2);
        for (Kind kind : Kind.values()) {
            PreferenceLoss loss = new PreferenceLoss(kind, 0.1, 1);
            Function<NDArray, NDArray> f = logps -> loss.compute(logps.get(0), logps.get(1),
                    manager.create(new double[] {-12, -19}), manager.create(new double[] {-13, -16}),
                    manager.create(new double[] {4, 5}), manager.create(new double[] {2, 5})).loss();
            double[] autograd = GradientCheck.autograd(manager, x, shape, f);
            assertArrayEquals(GradientCheck.finiteDifference(manager, x, shape, f, 1e-6), autograd,
                    1e-7, kind.name());
        }
    }

    @Test
    void atTheStartPolicyEqualsReferenceAndDpoIsLogTwo() {
        // s = 0 on every pair: loss log 2 = 0.6931472, gradient −β·σ(0)/B = −0.1·0.5/2 = −0.025,
        // and no pair counts as ranked right
        NDArray chosen = of(-7, -9);
        chosen.setRequiresGradient(true);
        PreferenceLoss.Result result;
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            result = PreferenceLoss.dpo().compute(chosen, of(-8, -3), of(-7, -9), of(-8, -3), null,
                    null);
            collector.backward(result.loss());
        }
        assertEquals(Math.log(2), result.loss().getFloat(), 1e-6);
        assertEquals(0, result.rewardAccuracy());
        assertArrayEquals(new float[] {-0.025f, -0.025f}, chosen.getGradient().toFloatArray(), 1e-7f);
    }

    @Test
    void dpoStaysFiniteForHugeMargins() {
        // β·s = ±1000: softplus(−1000) ≈ 0 and softplus(1000) = 1000, mean 500; the gradient is
        // −β·σ(−1000)/2 ≈ 0 for the first pair and −β·σ(1000)/2 = −0.05 for the second
        NDArray chosen = of(0, -10000);
        chosen.setRequiresGradient(true);
        PreferenceLoss.Result result;
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            result = PreferenceLoss.dpo().compute(chosen, of(-10000, 0), of(0, 0), of(0, 0), null,
                    null);
            collector.backward(result.loss());
        }
        assertEquals(500, result.loss().getFloat(), 1e-3);
        assertArrayEquals(new float[] {0f, -0.05f}, chosen.getGradient().toFloatArray(), 1e-7f);
    }

    @Test
    void referenceLogprobsGetNoGradient() {
        NDArray chosen = of(-10, -20);
        NDArray refChosen = of(-12, -19);
        chosen.setRequiresGradient(true);
        refChosen.setRequiresGradient(true);
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            collector.backward(new PreferenceLoss(Kind.IPO, 0.1, 1)
                    .compute(chosen, of(-14, -15), refChosen, of(-13, -16), of(4, 5), of(2, 5))
                    .loss());
        }
        // IPO's chosen gradient as in the test above; the reference's stays 0
        assertArrayEquals(new float[] {-1f, -1.08f}, chosen.getGradient().toFloatArray(), 1e-5f);
        assertEquals(0f, refChosen.getGradient().abs().sum().getFloat());
    }

    @Test
    void rejectsBadSettingsAndInputs() {
        assertThrows(IllegalArgumentException.class, () -> new PreferenceLoss(Kind.DPO, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new PreferenceLoss(Kind.RPO, 0.1, -1));
        assertThrows(IllegalArgumentException.class, () -> new PreferenceLoss(null, 0.1, 1));
        PreferenceLoss ipo = new PreferenceLoss(Kind.IPO, 0.1, 1);
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> ipo.compute(of(-1, -2), of(-1, -2), of(-1, -2), of(-1, -2), of(3, 0),
                        of(1, 1)));
        assertTrue(empty.getMessage().contains("chosenLengths"), empty.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ipo.compute(of(-1, -2), of(-1, -2), of(-1, -2), of(-1, -2), null, null));
        IllegalArgumentException shapes = assertThrows(IllegalArgumentException.class,
                () -> PreferenceLoss.dpo().compute(of(-1, -2), of(-1), of(-1, -2), of(-1, -2),
                        null, null));
        assertTrue(shapes.getMessage().contains("rejectedLogps"), shapes.getMessage());
    }
}
