package io.rlstream.processors.filtration;

/**
 * verl's {@code pow} reweighting ({@code compute_pf_ppo_reweight_data}, the default method):
 *
 * <pre>
 *   w_i = max(|s_i|^p + 1e-8, 1e-8)      p = 2 by default (verl's {@code weight_pow})
 * </pre>
 *
 * <p>With 0/1 rewards this draws only correct samples (plus the floor's 1e-8); with ±1 rewards it
 * weights every sample alike. p = 0 gives uniform weights ({@code |s|^0 = 1}, also at s = 0, as
 * {@code torch.pow} does). Negative powers are refused: they make a score of 0 infinitely heavy.
 */
public final class PowReweighting implements BatchReweighting {

    /** Registry name. */
    public static final String NAME = "pow";
    /** verl's default {@code weight_pow}. */
    public static final double DEFAULT_POWER = 2.0;

    private final double power;

    /** Power 2, as verl. */
    public PowReweighting() {
        this(DEFAULT_POWER);
    }

    public PowReweighting(double power) {
        if (!(power >= 0) || Double.isInfinite(power)) {
            throw new IllegalArgumentException("pow reweighting power must be a finite number >= 0, got " + power);
        }
        this.power = power;
    }

    @Override
    public double[] weights(double[] scores) {
        return SamplingWeights.weights(scores, (s, max, min) -> Math.pow(Math.abs(s), power));
    }

    public double power() {
        return power;
    }
}
