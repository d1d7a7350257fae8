package io.rlstream.processors.filtration;

/**
 * verl's {@code max_random} reweighting ({@code compute_pf_ppo_reweight_data}), the batch-wide
 * analogue of PF-PPO's best-random:
 *
 * <pre>
 *   w_i = max((s_i = max_j s_j ? 0.4 : 0.1) + 1e-8, 1e-8)
 * </pre>
 *
 * <p>A sample tied at the batch maximum is four times as likely to be drawn as any other. The
 * 0.4 and 0.1 are verl's constants.
 */
public final class MaxRandomReweighting implements BatchReweighting {

    /** Registry name. */
    public static final String NAME = "max_random";
    /** verl's weight of a sample at the batch maximum. */
    public static final double AT_MAX = 0.4;
    /** verl's weight of every other sample. */
    public static final double OTHERWISE = 0.1;

    @Override
    public double[] weights(double[] scores) {
        return SamplingWeights.weights(scores, (s, max, min) -> s == max ? AT_MAX : OTHERWISE);
    }
}
