package io.rlstream.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;
import java.util.Random;

/**
 * N(0, σ²) weights drawn from a Java {@link Random}, so initial weights depend only on the seed
 * and the parameter order, not on the engine's global random state (which other threads may
 * touch). GPT-2 initialises weights with σ = 0.02 (Radford et al. 2019; nanoGPT).
 */
public final class SeededNormalInitializer implements Initializer {

    private final float sigma;
    private final Random random;

    public SeededNormalInitializer(float sigma, long seed) {
        this.sigma = sigma;
        this.random = new Random(seed);
    }

    @Override
    public NDArray initialize(NDManager manager, Shape shape, DataType dataType) {
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * sigma);
        }
        return manager.create(values, shape).toType(dataType, false);
    }
}
