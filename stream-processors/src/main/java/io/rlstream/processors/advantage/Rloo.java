package io.rlstream.processors.advantage;

/**
 * REINFORCE Leave-One-Out (Kool et al. 2019, "Buy 4 REINFORCE Samples, Get a Baseline for Free!";
 * Ahmadian et al., "Back to Basics", arXiv 2402.14740): each sample's baseline is the mean
 * reward of the other samples of its group,
 *
 * <pre>
 *   A_i = r_i − (Σ_{j≠i} r_j) / (G − 1)  =  G/(G − 1) · (r_i − mean_g)
 * </pre>
 *
 * <p>The baseline does not depend on r_i, so the gradient estimate stays unbiased (GRPO's mean
 * includes r_i and shrinks every advantage by (G − 1)/G). As verl's
 * {@code compute_rloo_outcome_advantage}, TRL's {@code RLOOTrainer} and OpenRLHF's
 * {@code advantage_estimator=rloo}.
 *
 * <p>G = 1: the leave-one-out mean of no samples is undefined (OpenRLHF divides by G − 1 = 0).
 * We follow verl, which leaves a lone sample's reward unchanged: no baseline, A = r, the same
 * convention as {@link Grpo} (see {@link GroupBaseline}). Equal rewards give exactly 0.
 */
public final class Rloo implements AdvantageEstimator {

    /** Registry name. */
    public static final String NAME = "rloo";
    /** One-line formula for listings. */
    public static final String FORMULA = "r_i - sum_{j!=i} r_j / (G - 1)";

    @Override
    public float[] advantages(GroupRewards group) {
        int g = group.size();
        if (g < 2 || GroupBaseline.allRewardsEqual(group)) {
            return GroupBaseline.centered(group);
        }
        double sum = 0;
        for (int i = 0; i < g; i++) {
            sum += group.reward(i);
        }
        float[] out = new float[g];
        for (int i = 0; i < g; i++) {
            double others = (sum - group.reward(i)) / (g - 1);
            out[i] = (float) (group.reward(i) - others);
        }
        return out;
    }
}
