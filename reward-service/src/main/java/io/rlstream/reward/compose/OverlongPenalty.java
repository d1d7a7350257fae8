package io.rlstream.reward.compose;

/**
 * DAPO's soft overlong punishment (Yu et al. 2025, arXiv 2503.14476, §3.4; docs/algorithms.md#reward-composition-and-overlong-penalty): a
 * length-aware penalty that grows linearly through a buffer of {@code L_c} tokens before the
 * maximum length {@code L_max}, so that a response slightly too long is punished a little and one
 * past the limit fully:
 *
 * <pre>
 *   R_length(|y|) = 0                                  if |y| ≤ L_max − L_c
 *                 = ((L_max − L_c) − |y|) / L_c · f    if L_max − L_c &lt; |y| ≤ L_max
 *                 = −f                                 if |y| &gt; L_max
 * </pre>
 *
 * <p>{@code f} is the penalty factor (verl's {@code overlong_buffer.penalty_factor}). verl computes
 * {@code min(−(|y| − (L_max − L_c)) / L_c · f, 0)} without the cap because its responses are
 * truncated at {@code L_max}; here the cap at {@code −f} keeps the penalty bounded for lengths
 * counted elsewhere. The penalty is added to the task reward as the component {@value #COMPONENT}
 * (see {@link RewardComposition}). Pure and thread-safe.
 */
public final class OverlongPenalty {

    /** Name of the reward component this penalty fills. */
    public static final String COMPONENT = "overlong";
    /** DAPO's maximum generation length L_max, in tokens. */
    public static final int DEFAULT_MAX_LENGTH = 20480;
    /** DAPO's soft punishment buffer L_c, in tokens. */
    public static final int DEFAULT_BUFFER = 4096;
    public static final double DEFAULT_FACTOR = 1.0;

    private final int maxLength;
    private final int buffer;
    private final double factor;

    /**
     * @param maxLength L_max, the length (in tokens) beyond which the full penalty applies; ≥ 1
     * @param buffer    L_c, the width of the linear ramp before L_max; 1 ≤ L_c ≤ L_max
     * @param factor    f, the size of the full penalty; finite and ≥ 0
     */
    public OverlongPenalty(int maxLength, int buffer, double factor) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("overlong max length must be at least 1 token, got " + maxLength);
        }
        if (buffer < 1 || buffer > maxLength) {
            throw new IllegalArgumentException("overlong buffer must lie in [1, max length " + maxLength
                    + "], got " + buffer);
        }
        if (!Double.isFinite(factor) || factor < 0) {
            throw new IllegalArgumentException("overlong penalty factor must be finite and ≥ 0, got " + factor);
        }
        this.maxLength = maxLength;
        this.buffer = buffer;
        this.factor = factor;
    }

    /** DAPO's defaults: L_max 20480, L_c 4096, factor 1. */
    public static OverlongPenalty dapoDefaults() {
        return new OverlongPenalty(DEFAULT_MAX_LENGTH, DEFAULT_BUFFER, DEFAULT_FACTOR);
    }

    /**
     * @param responseLength |y|, the number of response tokens; ≥ 0
     * @return the penalty, in [−factor, 0]
     */
    public double penalty(int responseLength) {
        if (responseLength < 0) {
            throw new IllegalArgumentException("response length must be ≥ 0, got " + responseLength);
        }
        int expected = maxLength - buffer;
        if (responseLength <= expected) {
            return 0.0;
        }
        if (responseLength <= maxLength) {
            return (double) (expected - responseLength) / buffer * factor;
        }
        return -factor;
    }

    public int maxLength() {
        return maxLength;
    }

    public int buffer() {
        return buffer;
    }

    public double factor() {
        return factor;
    }
}
