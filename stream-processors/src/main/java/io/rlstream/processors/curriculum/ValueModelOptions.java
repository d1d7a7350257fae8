package io.rlstream.processors.curriculum;

/**
 * Size and learning rate of a {@link HashedNgramValueModel}.
 *
 * @param buckets      feature-hashing slots for the character n-grams (rows of the input layer)
 * @param hidden       tanh units of the hidden layer
 * @param learningRate plain SGD step size on the loss ½(V − y)²
 * @param memoryRate   step size μ of the per-prompt memory (0: none)
 * @param seed         seed of the weight initialisation
 */
public record ValueModelOptions(int buckets, int hidden, double learningRate, double memoryRate, long seed) {

    public ValueModelOptions {
        if (buckets < 1) {
            throw new IllegalArgumentException("value model buckets must be >= 1, got " + buckets);
        }
        if (hidden < 1) {
            throw new IllegalArgumentException("value model hidden units must be >= 1, got " + hidden);
        }
        if ((long) buckets * hidden > Integer.MAX_VALUE - hidden - 1) {
            throw new IllegalArgumentException("value model buckets × hidden units must fit one array (< 2^31), got "
                    + buckets + " × " + hidden + "; use fewer buckets or hidden units");
        }
        if (!(memoryRate >= 0 && memoryRate <= 1)) {
            throw new IllegalArgumentException("value model memory rate must be in [0, 1], got " + memoryRate);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("value model learning rate must be a finite number > 0, got "
                    + learningRate);
        }
    }

    /** 16384 buckets, 32 hidden units, learning rate 0.1, memory rate 0.3, seed 0 (tuned: see HashedNgramValueModelTest). */
    public static ValueModelOptions defaults() {
        return new ValueModelOptions(16384, 32, 0.1, 0.3, 0);
    }
}
