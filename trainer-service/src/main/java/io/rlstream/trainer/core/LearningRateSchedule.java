package io.rlstream.trainer.core;

/**
 * The learning rate as a pure function of the optimizer step: linear warm-up from 0 to
 * {@code peak}, then a cosine from {@code peak} down to {@code peak · finalFraction} (Loshchilov and
 * Hutter, SGDR, arXiv 1608.03983, without restarts), then constant. Being a function of the step
 * alone, it resumes exactly where it was from the step count in a checkpoint.
 *
 * <p>It reproduces the DJL trackers {@link PolicyTrainer} used before it (a
 * {@code Tracker.warmUp()} from 0 around a {@code Tracker.cosine()} with final value peak/10, or
 * {@code Tracker.fixed(peak)} when there is no decay) as DJL's optimizer evaluates them: at the
 * 1-based update count. So with u = step + 1, w = warmupSteps, d = decaySteps:
 * <pre>
 *   at(step) = peak · u / w                                         u &lt; w
 *            = f + (peak − f) · (1 + cos(π · (u − w) / d)) / 2       w ≤ u ≤ w + d   (f = peak · finalFraction)
 *            = f                                                     u &gt; w + d
 *            = peak                                                  u ≥ w and d = 0
 * </pre>
 * The first update (step 0) thus takes peak/w, the w-th (step w − 1) the full peak, and the rate
 * reaches f at step w + d − 1. With w = 0 there is no warm-up and step 0 is already one step into
 * the cosine, as it was with DJL.
 */
public final class LearningRateSchedule {

    /** {@link TrainerConfig#decaySteps()} decays to a tenth of the peak. */
    public static final double DEFAULT_FINAL_FRACTION = 0.1;

    private final double peak;
    private final int warmupSteps;
    private final int decaySteps;
    private final double finalFraction;

    /**
     * @param peak learning rate at the end of the warm-up, &gt; 0
     * @param warmupSteps optimizer steps of the linear warm-up, ≥ 0
     * @param decaySteps optimizer steps of the cosine after the warm-up, ≥ 0; 0 keeps the peak
     * @param finalFraction the rate after the cosine as a fraction of the peak, in [0, 1)
     */
    public LearningRateSchedule(double peak, int warmupSteps, int decaySteps, double finalFraction) {
        if (!(peak > 0) || !Double.isFinite(peak)) {
            throw new IllegalArgumentException("peak learning rate must be > 0 and finite, got " + peak);
        }
        if (warmupSteps < 0 || decaySteps < 0) {
            throw new IllegalArgumentException("warmupSteps and decaySteps must be >= 0, got " + warmupSteps
                    + " and " + decaySteps);
        }
        if (!(finalFraction >= 0 && finalFraction < 1)) {
            throw new IllegalArgumentException("finalFraction must be in [0, 1), got " + finalFraction);
        }
        this.peak = peak;
        this.warmupSteps = warmupSteps;
        this.decaySteps = decaySteps;
        this.finalFraction = finalFraction;
    }

    /** The schedule of a {@link TrainerConfig}: its rate, warm-up and decay, down to a tenth. */
    public static LearningRateSchedule of(TrainerConfig config) {
        return new LearningRateSchedule(config.learningRate(), config.warmupSteps(), config.decaySteps(),
                DEFAULT_FINAL_FRACTION);
    }

    /**
     * The learning rate of the update at 0-based optimizer step {@code step}: pass the number of
     * optimizer steps already taken ({@link AdamW#steps()} before the step's updates).
     */
    public double at(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        long update = step + 1;
        if (update < warmupSteps) {
            return peak * update / warmupSteps;
        }
        if (decaySteps == 0) {
            return peak;
        }
        long intoDecay = update - warmupSteps;
        double last = peak * finalFraction;
        if (intoDecay > decaySteps) {
            return last;
        }
        return last + (peak - last) * (1 + Math.cos(Math.PI * intoDecay / decaySteps)) / 2;
    }

    public double peak() {
        return peak;
    }

    public int warmupSteps() {
        return warmupSteps;
    }

    public int decaySteps() {
        return decaySteps;
    }

    public double finalFraction() {
        return finalFraction;
    }

    @Override
    public String toString() {
        return "LearningRateSchedule[peak=" + peak + ", warmupSteps=" + warmupSteps + ", decaySteps=" + decaySteps
                + ", finalFraction=" + finalFraction + "]";
    }
}
