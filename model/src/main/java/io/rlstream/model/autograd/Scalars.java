package io.rlstream.model.autograd;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * Arithmetic of an array with a constant that is safe inside an autograd graph. Use these, never
 * {@code NDArray.mul(Number)}, {@code div(Number)}, {@code minimum(Number)}, {@code maximum(Number)},
 * {@code pow(Number)} or DJL's {@code Activation.swish}, on any array a gradient flows through.
 *
 * <p>Why: DJL 0.36's PyTorch engine turns the number into a one-element tensor over a Java direct
 * buffer ({@code torch::from_blob}, memory PyTorch does not own), runs the operation and closes that
 * array at once. The operation's backward keeps the scalar tensor (the gradient of {@code x * c} is
 * {@code g * c}; min/max compare against it), so once the garbage collector frees the buffer, the
 * backward pass reads whatever the memory holds by then. The result was gradient norms of 1e24 to
 * 1e32 and NaNs at random steps, more often the more the JVM allocates (a trainer next to Kafka
 * clients: about one optimizer step in fifty). Here the constant is a tensor PyTorch allocates
 * ({@code torch::full}): the graph holds a reference to it, so closing the Java handle frees nothing
 * the backward still needs. Tested by freeing and overwriting direct memory between forward and
 * backward (ScalarsTest, DecoderGradientUnderGcTest).
 *
 * <p>{@code add(Number)}, {@code sub(Number)}, {@code clip(Number, Number)} and comparisons are
 * safe as DJL has them: their backward does not read the constant.
 */
public final class Scalars {

    private Scalars() {}

    /** {@code x · c}. */
    public static NDArray times(NDArray x, double c) {
        try (NDArray s = constant(x, c)) {
            return x.mul(s);
        }
    }

    /** {@code x / c}. */
    public static NDArray dividedBy(NDArray x, double c) {
        try (NDArray s = constant(x, c)) {
            return x.div(s);
        }
    }

    /** {@code min(x, c)} element-wise. */
    public static NDArray atMost(NDArray x, double c) {
        try (NDArray s = constant(x, c)) {
            return x.minimum(s);
        }
    }

    /** {@code max(x, c)} element-wise. */
    public static NDArray atLeast(NDArray x, double c) {
        try (NDArray s = constant(x, c)) {
            return x.maximum(s);
        }
    }

    /** SiLU (swish with β = 1), {@code x · sigmoid(x)}, as transformers' {@code ACT2FN["silu"]}. */
    public static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    private static NDArray constant(NDArray like, double c) {
        return like.getManager().full(new Shape(), (float) c, like.getDataType());
    }
}
