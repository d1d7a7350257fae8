package io.rlstream.model.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.rlstream.testkit.FreedDirectMemory;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The gradient through an array-with-constant operation must not change when direct memory is freed
 * and reused between the forward and the backward pass (see {@link Scalars} for the DJL bug).
 */
class ScalarsTest {

    private static final float[] X = {-2.5f, -0.5f, 0f, 0.75f, 3f};

    /** d/dx of sum(f(x)) at X, with direct memory freed and overwritten after the forward pass when asked. */
    private static float[] gradient(UnaryOperator<NDArray> f, boolean freeBetween) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray x = manager.create(X);
            x.setRequiresGradient(true);
            List<ByteBuffer> filler = null;
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray y = f.apply(x).sum();
                if (freeBetween) {
                    filler = FreedDirectMemory.freeAndOverwrite();
                }
                collector.backward(y);
            }
            float[] g = x.getGradient().toFloatArray();
            if (filler != null) {
                filler.clear();
            }
            return g;
        }
    }

    @Test
    void djlsOwnScalarProductLosesItsConstantWhenTheBufferIsFreed() {
        // The bug this class exists for: DJL's x.mul(3f) reads its freed constant in the backward pass.
        // If this ever passes with the right gradient, DJL fixed it and Scalars can go.
        float[] g = gradient(x -> x.mul(3f), true);
        assertFalse(Arrays.equals(g, new float[] {3, 3, 3, 3, 3}), "gradient " + Arrays.toString(g));
    }

    @Test
    void timesKeepsItsConstant() {
        assertArrayEquals(new float[] {3, 3, 3, 3, 3}, gradient(x -> Scalars.times(x, 3), true));
    }

    @Test
    void dividedByKeepsItsConstant() {
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f, 0.25f}, gradient(x -> Scalars.dividedBy(x, 4), true));
    }

    @Test
    void atMostAndAtLeastPassTheGradientWhereXIsKept() {
        // min(x, 0.5): gradient 1 where x < 0.5, 0 above (and PyTorch's 0.5 at a tie; no tie here)
        assertArrayEquals(new float[] {1, 1, 1, 0, 0}, gradient(x -> Scalars.atMost(x, 0.5), true));
        assertArrayEquals(new float[] {0, 0, 0, 1, 1}, gradient(x -> Scalars.atLeast(x, 0.5), true));
    }

    @Test
    void siluHasItsDerivative() {
        // d/dx x·σ(x) = σ(x)·(1 + x·(1 − σ(x)))
        float[] expected = new float[X.length];
        for (int i = 0; i < X.length; i++) {
            double s = 1 / (1 + Math.exp(-X[i]));
            expected[i] = (float) (s * (1 + X[i] * (1 - s)));
        }
        assertArrayEquals(expected, gradient(Scalars::silu, true), 1e-6f);
    }
}
