package io.rlstream.processors.advantage;

/**
 * The settings an estimator may take: which standard deviation and which ε. {@link Grpo} and
 * {@link GrpoBatchStd} use both; the other estimators have no std to take and ignore them.
 *
 * @param std     sample (÷(N − 1), verl/TRL/OpenRLHF) or population (÷N) standard deviation
 * @param epsilon added to the std before dividing, finite and ≥ 0
 */
public record AdvantageOptions(Grpo.Std std, double epsilon) {

    public AdvantageOptions {
        if (std == null) {
            throw new IllegalArgumentException("advantage std must be SAMPLE or POPULATION, got null");
        }
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("advantage epsilon must be a finite number >= 0, got " + epsilon);
        }
    }

    /** Sample std and ε = 1e-6, the defaults of docs/algorithms.md#advantage-estimators. */
    public static AdvantageOptions defaults() {
        return new AdvantageOptions(Grpo.Std.SAMPLE, Grpo.DEFAULT_EPSILON);
    }
}
