package io.rlstream.processors.advantage;

/**
 * Dr.GRPO's advantage ("Understanding R1-Zero-Like Training: A Critical Perspective",
 * arXiv 2503.20783): GRPO without the division by the group's std,
 *
 * <pre>
 *   A_i = r_i − mean_g
 * </pre>
 *
 * <p>Dividing by std_g up-weights prompts that are nearly always solved or nearly always failed (a
 * question-level difficulty bias); dropping it leaves the unbiased REINFORCE baseline. Same as
 * verl's {@code compute_grpo_outcome_advantage} with {@code norm_adv_by_std_in_grpo=False},
 * OpenRLHF's {@code advantage_estimator=dr_grpo} and TRL's {@code scale_rewards="none"}. Pairs
 * with the {@code seq-mean-token-sum-norm} loss aggregation (docs/algorithms.md#loss-aggregations), the paper's other
 * half of the fix.
 *
 * <p>G = 1: no baseline, A = r; equal rewards: exactly 0 (see {@link GroupBaseline}).
 */
public final class DrGrpo implements AdvantageEstimator {

    /** Registry name. */
    public static final String NAME = "drgrpo";
    /** One-line formula for listings. */
    public static final String FORMULA = "r_i - mean_g";

    @Override
    public float[] advantages(GroupRewards group) {
        return GroupBaseline.centered(group);
    }
}
