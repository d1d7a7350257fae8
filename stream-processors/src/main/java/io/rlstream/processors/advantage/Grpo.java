package io.rlstream.processors.advantage;

/**
 * GRPO's group-normalised advantage (DeepSeekMath, arXiv 2402.03300, §4.1.2):
 *
 * <pre>
 *   A_i = (r_i − mean_g) / (std_g + ε)
 * </pre>
 *
 * <p>{@code std_g} is the sample standard deviation, √(Σ(r_i − mean_g)² / (G − 1)), by default,
 * as verl ({@code compute_grpo_outcome_advantage}, {@code torch.std}), TRL ({@code GRPOTrainer},
 * {@code scale_rewards="group"}) and OpenRLHF ({@code advantage_estimator=group_norm}) compute it;
 * {@link Std#POPULATION} divides by G instead. ε = 1e-6 keeps small stds from blowing advantages
 * up. A group whose rewards are all equal gets advantages of exactly 0, also with ε = 0.
 *
 * <p>A group of one sample has no baseline: as in verl, mean_g = 0 and std_g = 1, so
 * A = r / (1 + ε) (docs/algorithms.md#advantage-estimators). Dynamic sampling drops such groups by default.
 */
public final class Grpo implements AdvantageEstimator {

    /** Registry name. */
    public static final String NAME = "grpo";
    /** One-line formula for listings. */
    public static final String FORMULA = "(r_i - mean_g) / (std_g + eps)";
    /** Default ε of verl. */
    public static final double DEFAULT_EPSILON = 1e-6;

    /** Which standard deviation normalises the advantages. */
    public enum Std {
        /** Divide the squared deviations by G − 1 (Bessel's correction); verl/TRL/OpenRLHF default. */
        SAMPLE,
        /** Divide the squared deviations by G. */
        POPULATION
    }

    private final Std std;
    private final double epsilon;

    /** Sample std, ε = 1e-6. */
    public Grpo() {
        this(Std.SAMPLE, DEFAULT_EPSILON);
    }

    public Grpo(Std std, double epsilon) {
        if (std == null) {
            throw new IllegalArgumentException("GRPO std must be SAMPLE or POPULATION, got null");
        }
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("GRPO epsilon must be a finite number >= 0, got " + epsilon);
        }
        this.std = std;
        this.epsilon = epsilon;
    }

    @Override
    public float[] advantages(GroupRewards group) {
        double[] rewards = group.rewards();
        int g = rewards.length;
        float[] out = new float[g];
        if (g == 0 || (g > 1 && allEqual(rewards))) {
            // std is exactly 0: every advantage is 0. Decided here, not left to rounding in the mean,
            // which for equal rewards like 0.1 is not exactly 0.1 and would give ±1e-17/ε.
            return out;
        }
        double mean = 0;
        double sd = 1;
        if (g > 1) {
            for (double r : rewards) {
                mean += r;
            }
            mean /= g;
            double squares = 0;
            for (double r : rewards) {
                squares += (r - mean) * (r - mean);
            }
            sd = Math.sqrt(squares / (std == Std.SAMPLE ? g - 1 : g));
        }
        for (int i = 0; i < g; i++) {
            out[i] = (float) ((rewards[i] - mean) / (sd + epsilon));
        }
        return out;
    }

    private static boolean allEqual(double[] rewards) {
        for (double r : rewards) {
            if (r != rewards[0]) {
                return false;
            }
        }
        return true;
    }

    public Std std() {
        return std;
    }

    public double epsilon() {
        return epsilon;
    }
}
