package io.rlstream.processors.advantage;

/**
 * OPO, "On-Policy RL with Optimal Reward Baseline" (arXiv 2505.23585): the baseline that
 * minimises the variance of the policy gradient, assuming a response's squared gradient norm
 * grows in proportion to its length, is the length-weighted mean reward of the group,
 *
 * <pre>
 *   A_i = r_i − Σ_j |o_j| r_j / Σ_j |o_j|
 * </pre>
 *
 * <p>|o_j| is the response length in tokens. As verl's {@code compute_opo_outcome_advantage}.
 *
 * <p>If every response of the group is empty (Σ|o_j| = 0) the weights say nothing and the
 * baseline falls back to the plain mean_g. G = 1: no baseline, A = r, as in verl; equal rewards:
 * exactly 0 (see {@link GroupBaseline}).
 */
public final class Opo implements AdvantageEstimator {

    /** Registry name. */
    public static final String NAME = "opo";
    /** One-line formula for listings. */
    public static final String FORMULA = "r_i - sum_j |o_j| r_j / sum_j |o_j|";

    @Override
    public float[] advantages(GroupRewards group) {
        int g = group.size();
        if (g < 2 || GroupBaseline.allRewardsEqual(group)) {
            return GroupBaseline.centered(group);
        }
        double weighted = 0;
        double tokens = 0;
        for (int i = 0; i < g; i++) {
            weighted += (double) group.length(i) * group.reward(i);
            tokens += group.length(i);
        }
        double baseline = tokens > 0 ? weighted / tokens : GroupBaseline.mean(group);
        float[] out = new float[g];
        for (int i = 0; i < g; i++) {
            out[i] = (float) (group.reward(i) - baseline);
        }
        return out;
    }
}
