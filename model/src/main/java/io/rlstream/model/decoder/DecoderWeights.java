package io.rlstream.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.rlstream.model.safetensors.Dtype;
import io.rlstream.model.safetensors.SafetensorsCheckpoint;
import io.rlstream.model.safetensors.SafetensorsWriter;
import io.rlstream.model.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Moves a {@link DecoderNetwork}'s parameters to and from safetensors under transformers' names.
 * Weights are always fp32 in the network: F16 and BF16 files are widened in Java (DJL's PyTorch
 * engine aborts on bfloat16); BF16 is written by rounding to nearest even.
 */
public final class DecoderWeights {

    private DecoderWeights() {}

    /**
     * Overwrites every parameter with the checkpoint's tensor of the same name, in place (the
     * parameter arrays stay the same objects). Every parameter must be present with the same shape;
     * with tied embeddings a stored {@code lm_head.weight} is ignored, as transformers ignores it.
     * Returns the checkpoint's tensors that were not used (for example rotary {@code inv_freq}
     * buffers of old checkpoints), so the caller can report them.
     */
    public static List<String> load(DecoderNetwork network, SafetensorsCheckpoint checkpoint) throws IOException {
        Map<String, Parameter> parameters = network.parametersByHfName();
        List<String> missing = new ArrayList<>();
        for (String name : parameters.keySet()) {
            if (!checkpoint.contains(name)) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(checkpoint.source() + ": " + missing.size()
                    + " weights of the " + network.config().architecture().modelType()
                    + " model are missing, first " + missing.subList(0, Math.min(5, missing.size())));
        }
        for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
            String name = e.getKey();
            NDArray target = e.getValue().getArray();
            TensorInfo info = checkpoint.info(name);
            long[] expected = target.getShape().getShape();
            if (!Arrays.equals(expected, info.shape())) {
                throw new IllegalArgumentException(checkpoint.source() + ": tensor '" + name + "' has shape "
                        + Arrays.toString(info.shape()) + ", the model expects " + Arrays.toString(expected));
            }
            if (!info.dtype().isFloatingPoint()) {
                throw new IllegalArgumentException(checkpoint.source() + ": tensor '" + name + "' is "
                        + info.dtype() + ", not a floating-point type");
            }
            set(target, checkpoint.floats(name));
        }
        List<String> unused = new ArrayList<>();
        for (String name : checkpoint.names()) {
            if (!parameters.containsKey(name)) {
                unused.add(name);
            }
        }
        return unused;
    }

    private static void set(NDArray target, float[] values) {
        if (target.getDataType() != DataType.FLOAT32) {
            throw new IllegalStateException("parameters are fp32, found " + target.getDataType());
        }
        target.set(FloatBuffer.wrap(values));
    }

    /**
     * Writes the weights into {@code dir} as {@code dtype} (F32 or BF16), sharded above
     * {@code maxShardBytes}, {@code lm_head.weight} omitted when tied (it is not a parameter then).
     */
    public static List<Path> save(DecoderNetwork network, Path dir, Dtype dtype, long maxShardBytes)
            throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter(dtype);
        for (Map.Entry<String, Parameter> e : network.parametersByHfName().entrySet()) {
            NDArray array = e.getValue().getArray();
            writer.add(e.getKey(), array.toFloatArray(), array.getShape().getShape());
        }
        return writer.writeCheckpoint(dir, maxShardBytes);
    }

    /**
     * Random initial weights from a seeded Java {@link Random} (independent of the engine's RNG):
     * N(0, std²) for embeddings and projections (transformers' {@code initializer_range}, 0.02 by
     * default), zeros for biases, ones for norms.
     */
    public static void initialize(DecoderNetwork network, double std, long seed) {
        Random random = new Random(seed);
        for (Map.Entry<String, Parameter> e : network.parametersByHfName().entrySet()) {
            NDArray array = e.getValue().getArray();
            Shape shape = array.getShape();
            float[] values = new float[Math.toIntExact(shape.size())];
            String name = e.getKey();
            if (name.endsWith("norm.weight") || name.endsWith("layernorm.weight")) {
                Arrays.fill(values, 1f);
            } else if (!name.endsWith(".bias")) {
                for (int i = 0; i < values.length; i++) {
                    values[i] = (float) (random.nextGaussian() * std);
                }
            }
            set(array, values);
        }
    }
}
