package io.rlstream.processors.filtration;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * PF-PPO's criterion for choosing a filtration strategy (arXiv 2409.06957): on recorded groups
 * where each sample has both the proxy reward r (the reward model's, or whatever the loop trains
 * on) and a true score y (ground truth, human label, a stronger judge), keep the samples each
 * strategy keeps and measure how well r predicts y there. The paper picks the strategy with the
 * highest R²: the reward is most trustworthy on the samples it keeps.
 */
public final class FiltrationR2 {

    /**
     * One recorded group: the proxy reward and the true score of each sample, index by index.
     * The arrays are copied in and out, so a group cannot change after it is made.
     */
    public record ScoredGroup(String groupId, double[] rewards, double[] scores) {
        public ScoredGroup {
            if (rewards == null || scores == null) {
                throw new IllegalArgumentException("group " + groupId + ": rewards and scores are required");
            }
            if (rewards.length != scores.length) {
                throw new IllegalArgumentException("group " + groupId + ": expected one score per reward, got "
                        + rewards.length + " rewards and " + scores.length + " scores");
            }
            rewards = rewards.clone();
            scores = scores.clone();
        }

        @Override
        public double[] rewards() {
            return rewards.clone();
        }

        @Override
        public double[] scores() {
            return scores.clone();
        }
    }

    /**
     * R² of one strategy over all groups.
     *
     * @param strategy name in {@link PolicyFiltrations}
     * @param groups   groups that contributed at least one kept sample
     * @param samples  kept samples, pooled over the groups
     * @param r2       R² between proxy reward and true score on the kept samples; NaN when undefined
     */
    public record Result(String strategy, int groups, int samples, double r2) {
    }

    private FiltrationR2() {
    }

    /**
     * Coefficient of determination of the least-squares line y ≈ a + b·x:
     *
     * <pre>
     *   R² = 1 − SS_res / SS_tot,   SS_res = Σ (y_i − a − b·x_i)²,   SS_tot = Σ (y_i − ȳ)²
     * </pre>
     *
     * <p>For this fit SS_res = SS_tot − S_xy²/S_xx, so R² = S_xy² / (S_xx·S_yy), the squared Pearson
     * correlation; that form is computed (from centred sums) because it cannot round below 0.
     *
     * <p>Undefined cases: NaN when there are fewer than 2 points or SS_tot = 0 (y constant: any
     * line through ȳ fits, nothing to explain). When x is constant but y is not, the best line is
     * the flat y = ȳ, which explains nothing: R² = 0.
     *
     * @throws IllegalArgumentException when the lengths differ or a value is NaN or infinite
     */
    public static double r2(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("expected as many x as y, got " + x.length + " and " + y.length);
        }
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) {
                throw new IllegalArgumentException("point " + i + " is (" + x[i] + ", " + y[i] + "); expected finite numbers");
            }
        }
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        double meanX = 0;
        double meanY = 0;
        for (int i = 0; i < n; i++) {
            meanX += x[i];
            meanY += y[i];
        }
        meanX /= n;
        meanY /= n;
        double sxx = 0;
        double syy = 0;
        double sxy = 0;
        for (int i = 0; i < n; i++) {
            double dx = x[i] - meanX;
            double dy = y[i] - meanY;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }
        if (syy == 0) {
            return Double.NaN;
        }
        if (sxx == 0) {
            return 0;
        }
        return Math.min(1.0, sxy * sxy / (sxx * syy));
    }

    /**
     * R² per strategy of {@link PolicyFiltrations#names()}, in that order (none, best-of-n,
     * best-random, best-worst): each strategy selects samples from every group by the proxy
     * rewards, the kept samples of all groups are pooled, and R² is taken between their proxy
     * rewards (x) and true scores (y).
     *
     * <p>Each strategy gets its own {@code new SplittableRandom(seed)} and visits the groups in list
     * order, so a result depends only on the groups and the seed, not on the other strategies.
     *
     * @return one result per strategy; the caller picks the highest R² (the paper's choice)
     */
    public static List<Result> evaluate(List<ScoredGroup> groups, long seed) {
        List<Result> results = new ArrayList<>();
        for (String name : PolicyFiltrations.FAMILY.names()) {
            PolicyFiltration filtration = PolicyFiltrations.FAMILY.create(name, null);
            SplittableRandom rng = new SplittableRandom(seed);
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            int contributing = 0;
            for (ScoredGroup group : groups) {
                double[] rewards = group.rewards;
                int[] kept = filtration.select(rewards, rng);
                for (int i : kept) {
                    x.add(rewards[i]);
                    y.add(group.scores[i]);
                }
                if (kept.length > 0) {
                    contributing++;
                }
            }
            results.add(new Result(name, contributing, x.size(), r2(unbox(x), unbox(y))));
        }
        return results;
    }

    private static double[] unbox(List<Double> values) {
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
