package io.rlstream.processors.filtration;

/**
 * verl's {@code max_min} reweighting ({@code compute_pf_ppo_reweight_data}), the batch-wide
 * analogue of PF-PPO's best-worst:
 *
 * <pre>
 *   w_i = max(1[s_i = max_j s_j ∨ s_i = min_j s_j] + 1e-8, 1e-8)
 * </pre>
 *
 * <p>Every sample tied at the batch maximum or minimum weighs 1, every other one 1e-8. When all
 * scores are equal every sample is both, and the draw is uniform.
 */
public final class MaxMinReweighting implements BatchReweighting {

    /** Registry name. */
    public static final String NAME = "max_min";

    @Override
    public double[] weights(double[] scores) {
        return SamplingWeights.weights(scores, (s, max, min) -> s == max || s == min ? 1.0 : 0.0);
    }
}
