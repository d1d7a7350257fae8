package io.rlstream.processors.filtration;

/** What every {@link BatchReweighting} does around its raw weight: check the scores, apply verl's floor. */
final class SamplingWeights {

    /** verl's floor: added to every weight, and its lower bound ({@code torch.clamp(w + 1e-8, min=1e-8)}). */
    static final double FLOOR = 1e-8;

    private SamplingWeights() {
    }

    /** The raw weight of one score, given the batch's largest and smallest score. */
    @FunctionalInterface
    interface RawWeight {
        double of(double score, double max, double min);
    }

    /** Checks the scores, gives each its raw weight and applies the floor; empty for no scores. */
    static double[] weights(double[] scores, RawWeight raw) {
        requireFinite(scores);
        double[] w = new double[scores.length];
        if (w.length == 0) {
            return w;
        }
        double max = max(scores);
        double min = min(scores);
        for (int i = 0; i < w.length; i++) {
            w[i] = raw.of(scores[i], max, min);
        }
        return floor(w);
    }

    /** {@code w = max(w + 1e-8, 1e-8)}, in place. */
    static double[] floor(double[] raw) {
        for (int i = 0; i < raw.length; i++) {
            raw[i] = Math.max(raw[i] + FLOOR, FLOOR);
        }
        return raw;
    }

    /** Rejects NaN and infinite scores, which give no usable weight. */
    static void requireFinite(double[] scores) {
        for (int i = 0; i < scores.length; i++) {
            if (!Double.isFinite(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is " + scores[i] + "; expected a finite number");
            }
        }
    }

    /** Largest and smallest score; the scores are finite and not empty. */
    static double max(double[] scores) {
        double m = scores[0];
        for (double s : scores) {
            m = Math.max(m, s);
        }
        return m;
    }

    static double min(double[] scores) {
        double m = scores[0];
        for (double s : scores) {
            m = Math.min(m, s);
        }
        return m;
    }
}
