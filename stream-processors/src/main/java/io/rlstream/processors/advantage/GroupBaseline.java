package io.rlstream.processors.advantage;

/**
 * The group-mean baseline that most estimators subtract, with the two edge cases decided once for
 * all of them.
 *
 * <p>A group of one sample has no baseline: the baseline is 0 and the advantage is the reward
 * itself, as verl's {@code compute_grpo_outcome_advantage}, {@code compute_rloo_outcome_advantage},
 * {@code compute_opo_outcome_advantage} and
 * {@code compute_reinforce_plus_plus_baseline_outcome_advantage} all do (mean 0 for a lone
 * sample), and as {@link Grpo} does (docs/algorithms.md#advantage-estimators). Dynamic sampling drops such groups by
 * default, so this only matters when it is off.
 *
 * <p>A group whose rewards are all equal gets advantages of exactly 0: decided here, not left to
 * rounding in the mean, which for rewards like 0.1 is not exactly 0.1.
 */
final class GroupBaseline {

    private GroupBaseline() {
    }

    /** Whether the group has at least two samples, all with the same reward: no signal to learn from. */
    static boolean allRewardsEqual(GroupRewards group) {
        if (group.size() < 2) {
            return false;
        }
        double first = group.reward(0);
        for (int i = 1; i < group.size(); i++) {
            if (group.reward(i) != first) {
                return false;
            }
        }
        return true;
    }

    /** mean_g = Σ r_i / G; 0 for a group of fewer than two samples (no baseline). */
    static double mean(GroupRewards group) {
        int g = group.size();
        if (g < 2) {
            return 0;
        }
        double sum = 0;
        for (int i = 0; i < g; i++) {
            sum += group.reward(i);
        }
        return sum / g;
    }

    /** r_i − mean_g, exactly 0 for equal rewards, r for a lone sample. */
    static float[] centered(GroupRewards group) {
        float[] out = new float[group.size()];
        if (allRewardsEqual(group)) {
            return out;
        }
        double mean = mean(group);
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (group.reward(i) - mean);
        }
        return out;
    }
}
