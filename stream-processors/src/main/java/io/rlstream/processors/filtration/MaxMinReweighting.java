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
        SamplingWeights.requireFinite(scores);
        double[] w = new double[scores.length];
        if (w.length == 0) {
            return w;
        }
        double max = SamplingWeights.max(scores);
        double min = SamplingWeights.min(scores);
        for (int i = 0; i < w.length; i++) {
            w[i] = scores[i] == max || scores[i] == min ? 1.0 : 0.0;
        }
        return SamplingWeights.floor(w);
    }
}
