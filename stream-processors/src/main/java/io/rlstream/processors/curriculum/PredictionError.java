package io.rlstream.processors.curriculum;

/**
 * How far PCL's value model is from what the groups then showed: for each completed group that
 * was dispatched on a prediction, |V(x) − the group's mean reward|, next to the same error of the
 * baseline that predicts the running mean reward of all groups seen before the dispatch (a value
 * model worth its cost beats it). Kept as totals and as exponentially weighted recent means
 * (weight {@value #RECENT_WEIGHT}, about the last 100 groups). With G samples a group's mean
 * reward is itself noisy (binomial: sd √(p(1−p)/G), 0.18 at p = 0.5, G = 8), so neither error
 * can reach 0.
 */
public final class PredictionError {

    static final double RECENT_WEIGHT = 0.01;

    private long count;
    private double sum;
    private double baselineSum;
    private double recent = Double.NaN;
    private double baselineRecent = Double.NaN;

    public void add(double predicted, double baseline, double observed) {
        double e = Math.abs(predicted - observed);
        double b = Math.abs(baseline - observed);
        count++;
        sum += e;
        baselineSum += b;
        recent = Double.isNaN(recent) ? e : (1 - RECENT_WEIGHT) * recent + RECENT_WEIGHT * e;
        baselineRecent = Double.isNaN(baselineRecent) ? b : (1 - RECENT_WEIGHT) * baselineRecent + RECENT_WEIGHT * b;
    }

    public long count() {
        return count;
    }

    /** Mean absolute error of V over every graded group; NaN before any. */
    public double mae() {
        return count == 0 ? Double.NaN : sum / count;
    }

    /** Mean absolute error of the running-mean baseline over the same groups. */
    public double baselineMae() {
        return count == 0 ? Double.NaN : baselineSum / count;
    }

    public double recentMae() {
        return recent;
    }

    public double recentBaselineMae() {
        return baselineRecent;
    }
}
