package io.rlstream.trainer.objective;

/**
 * The coefficient β of the KL penalty, adapted towards a target KL as in Ziegler et al. 2019
 * (arXiv 1909.08593, §2.2) and verl's {@code AdaptiveKLController}:
 *
 * <pre>
 *   e = clip(KL / target − 1, −0.2, 0.2)
 *   β ← β · (1 + e · n / horizon)
 * </pre>
 *
 * where KL is the measured KL of the last batch and n the number of steps (verl passes the batch
 * size) it stands for. Above the target β grows, below it shrinks, by at most 20% per horizon.
 * {@link #fixed(double)} keeps β constant. Defaults from docs/algorithms.md#kl-estimators: target 0.1, horizon 10000.
 * Not thread-safe: one trainer owns one controller.
 */
public final class AdaptiveKlController {

    /** docs/algorithms.md#kl-estimators. */
    public static final double DEFAULT_TARGET = 0.1;
    /** docs/algorithms.md#kl-estimators. */
    public static final long DEFAULT_HORIZON = 10_000;

    /** Ziegler et al. clip the proportional error to ±0.2 so one noisy batch moves β little. */
    private static final double MAX_ERROR = 0.2;

    private final double target;
    private final long horizon;
    private final boolean adaptive;
    private double coef;

    /**
     * @param initCoef β at the start (≥ 0)
     * @param target the KL to steer towards (&gt; 0; 0.1)
     * @param horizon steps over which a full ±20% correction is applied (&gt; 0; 10000)
     */
    public AdaptiveKlController(double initCoef, double target, long horizon) {
        this(initCoef, target, horizon, true);
        if (!(target > 0) || Double.isInfinite(target)) {
            throw new IllegalArgumentException("KL target must be a finite number > 0, got " + target);
        }
        if (horizon <= 0) {
            throw new IllegalArgumentException("KL horizon must be > 0 steps, got " + horizon);
        }
    }

    private AdaptiveKlController(double initCoef, double target, long horizon, boolean adaptive) {
        if (!(initCoef >= 0) || Double.isInfinite(initCoef)) {
            throw new IllegalArgumentException("KL coefficient must be a finite number >= 0, got "
                    + initCoef);
        }
        this.coef = initCoef;
        this.target = target;
        this.horizon = horizon;
        this.adaptive = adaptive;
    }

    /** A controller whose β never changes (verl's {@code FixedKLController}). */
    public static AdaptiveKlController fixed(double coef) {
        return new AdaptiveKlController(coef, Double.NaN, 0, false);
    }

    /** The current β. */
    public double coef() {
        return coef;
    }

    /**
     * @param currentKl the KL measured on the last batch (finite)
     * @param nSteps how many steps that measurement covers (≥ 0)
     */
    public void update(double currentKl, long nSteps) {
        if (!adaptive) {
            return;
        }
        if (!Double.isFinite(currentKl)) {
            throw new IllegalArgumentException("measured KL must be finite, got " + currentKl
                    + "; a NaN or infinite KL would stick in β for the rest of the run");
        }
        if (nSteps < 0) {
            throw new IllegalArgumentException("nSteps must be >= 0, got " + nSteps);
        }
        double error = Math.max(-MAX_ERROR, Math.min(MAX_ERROR, currentKl / target - 1));
        // verl multiplies by 1 + e·n/horizon unguarded; with n > 5·horizon below target that factor
        // turns negative, and a negative β would reward drifting away from the reference
        coef *= Math.max(0, 1 + error * nSteps / horizon);
    }

    @Override
    public String toString() {
        return adaptive
                ? "AdaptiveKlController[coef=" + coef + ", target=" + target + ", horizon=" + horizon + "]"
                : "AdaptiveKlController[fixed coef=" + coef + "]";
    }
}
