package io.rlstream.trainer.objective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Six tokens whose log-ratios d = log π_θ − log π_ref are 0, 0.5, −1, −3, +25 and −25, the last
 * two beyond the ±20 clamp:
 *
 * <pre>
 *   d (clamped)   k1     k2 = d²/2    k3 = exp(−d) + d − 1
 *    0             0      0           1 + 0 − 1                 = 0
 *    0.5           0.5    0.125       0.6065307 + 0.5 − 1       = 0.1065307
 *   −1            −1      0.5         2.7182818 − 1 − 1         = 0.7182818
 *   −3            −3      4.5         20.085537 − 3 − 1 = 16.09 → 10 (k3 clamp)
 *   20            20      200         2.1e−9 + 20 − 1   = 19.00 → 10
 *  −20           −20      200         4.9e8 − 20 − 1            → 10
 * </pre>
 */
class KlEstimatorTest extends PyTorchArrays {

    // ref and logprobs picked so that every difference is exact in float32
    private NDArray ref() {
        return manager.create(new float[] {-1.25f, -2f, -2f, -2f, -30f, -0.5f}, new Shape(2, 3));
    }

    private NDArray logprobs() {
        return manager.create(new float[] {-1.25f, -1.5f, -3f, -5f, -5f, -25.5f}, new Shape(2, 3));
    }

    @Test
    void k1IsTheLogRatioClampedToTwenty() {
        assertArrayEquals(new float[] {0f, 0.5f, -1f, -3f, 20f, -20f},
                KlEstimator.K1.apply(logprobs(), ref()).toFloatArray(), 1e-6f);
    }

    @Test
    void k2IsHalfTheSquaredLogRatio() {
        assertArrayEquals(new float[] {0f, 0.125f, 0.5f, 4.5f, 200f, 200f},
                KlEstimator.K2.apply(logprobs(), ref()).toFloatArray(), 1e-5f);
    }

    @Test
    void k3IsNonNegativeAndClampedToTen() {
        assertArrayEquals(new float[] {0f, 0.1065307f, 0.7182818f, 10f, 10f, 10f},
                KlEstimator.K3.apply(logprobs(), ref()).toFloatArray(), 1e-6f);
    }

    /**
     * Token mean over a mask whose last token is padding, so N = 5, at d = 0.3, −0.7, 1.2, −2, −3
     * (k3 clamped at 10 there) and 25 (padding, and beyond the ±20 clamp):
     *
     * <pre>
     *   k1' / N = 1/5                         = 0.2 on every real token
     *   k2' / N = d/5                         = 0.06, −0.14, 0.24, −0.4, −0.6
     *   k3' / N = (1 − exp(−d))/5             = (1 − 0.7408182)/5 = 0.0518364,
     *                                           (1 − 2.0137527)/5 = −0.2027505,
     *                                           (1 − 0.3011942)/5 = 0.1397612,
     *                                           (1 − 7.3890561)/5 = −1.2778112,
     *                                           0 (clamped)
     * </pre>
     */
    @Test
    void gradientsOfTheTokenMeanMatchClosedFormsAndFiniteDifferences() {
        double[] d = {0.3, -0.7, 1.2, -2.0, -3.0, 25.0};
        double[] expected1 = {0.2, 0.2, 0.2, 0.2, 0.2, 0};
        double[] expected2 = {0.06, -0.14, 0.24, -0.4, -0.6, 0};
        double[] expected3 = {0.0518364, -0.2027505, 0.1397612, -1.2778112, 0, 0};
        checkGradient(KlEstimator.K1, d, expected1);
        checkGradient(KlEstimator.K2, d, expected2);
        checkGradient(KlEstimator.K3, d, expected3);
    }

    private void checkGradient(KlEstimator estimator, double[] d, double[] expected) {
        Shape shape = new Shape(2, 3);
        NDArray ref = manager.create(new double[] {-1, -2, -3, -1, -4, -30}, shape);
        NDArray mask = manager.create(new double[] {1, 1, 1, 1, 1, 0}, shape);
        double[] logprobs = new double[d.length];
        for (int i = 0; i < d.length; i++) {
            logprobs[i] = ref.getDouble(i / 3, i % 3) + d[i];
        }
        Function<NDArray, NDArray> tokenMean =
                x -> estimator.apply(x, ref).mul(mask).sum().div(mask.sum());
        double[] autograd = GradientCheck.autograd(manager, logprobs, shape, tokenMean);
        assertArrayEquals(expected, autograd, 1e-6, estimator + " closed form");
        assertArrayEquals(GradientCheck.finiteDifference(manager, logprobs, shape, tokenMean, 1e-6),
                autograd, 1e-6, estimator + " finite differences");
    }

    @Test
    void theReferenceGetsNoGradient() {
        NDArray logprobs = logprobs();
        NDArray ref = ref();
        logprobs.setRequiresGradient(true);
        ref.setRequiresGradient(true);
        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
            collector.backward(KlEstimator.K2.apply(logprobs, ref).sum());
        }
        assertEquals(0f, ref.getGradient().abs().sum().getFloat());
        // d(d²/2)/d log π = d, except at the clamped ±25 tokens
        assertArrayEquals(new float[] {0f, 0.5f, -1f, -3f, 0f, 0f},
                logprobs.getGradient().toFloatArray(), 1e-6f);
    }

    @Test
    void theFamilyNamesK1K2K3AsTheConfigurationSpellsThem() {
        assertEquals(List.of("k1", "k2", "k3"), KlEstimators.FAMILY.names());
        assertEquals(KlEstimator.K1, KlEstimators.FAMILY.create("k1", null));
        assertEquals(KlEstimator.K2, KlEstimators.FAMILY.create("k2", null));
        assertEquals(KlEstimator.K3, KlEstimators.FAMILY.create("k3", null));
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> KlEstimators.FAMILY.create("low_var_kl", null));
        assertTrue(error.getMessage().contains("low_var_kl")
                && error.getMessage().contains("k1") && error.getMessage().contains("k3"),
                error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KlEstimators.FAMILY.create(null, null));
    }
}
