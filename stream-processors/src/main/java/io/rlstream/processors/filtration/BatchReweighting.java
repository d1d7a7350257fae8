package io.rlstream.processors.filtration;

import java.util.random.RandomGenerator;

/**
 * verl's batch-wide variant of PF-PPO ({@code compute_pf_ppo_reweight_data} in
 * verl/trainer/ppo/core_algos.py, called from {@code compute_advantage} in
 * verl/trainer/ppo/ray_trainer.py after the advantages when {@code use_pf_ppo} is set): weight
 * every sample of the batch by its score, then draw a new batch with replacement in proportion
 * to the weights, so well-scored samples are trained on several times and others not at all.
 *
 * <p>Each implementation gives a raw weight w(s); {@link #weights} then applies verl's floor
 * {@code w = max(w + 1e-8, 1e-8)} ({@code torch.clamp(weights + 1e-8, min=1e-8)}), which keeps
 * every sample drawable and the total positive. verl's score of a sample is the sum of its
 * token-level scores, i.e. the sequence reward.
 */
@FunctionalInterface
public interface BatchReweighting {

    /**
     * The resampling weights of a batch, floor included: what {@code torch.multinomial} receives.
     * Not normalised.
     *
     * @param scores one finite score per sample of the batch
     * @throws IllegalArgumentException when a score is NaN or infinite
     */
    double[] weights(double[] scores);

    /**
     * Draws {@code n} sample indices with replacement, each independently with probability
     * {@code w_i / Σ_j w_j} where {@code w = weights(scores)}, as
     * {@code torch.multinomial(weights, n, replacement=True)} does. verl draws n = batch size.
     *
     * <p>Each draw takes one {@code rng.nextDouble()} and inverts the cumulative weights.
     *
     * @return the drawn indices in draw order (not sorted; an index may repeat)
     * @throws IllegalArgumentException when n &lt; 0, or n &gt; 0 and there are no scores, or the
     *                                  weights do not sum to a finite positive number
     */
    default int[] resample(double[] scores, int n, RandomGenerator rng) {
        if (n < 0) {
            throw new IllegalArgumentException("number of draws must be >= 0, got " + n);
        }
        if (n == 0) {
            return new int[0];
        }
        if (scores.length == 0) {
            throw new IllegalArgumentException("cannot draw " + n + " samples from an empty batch");
        }
        double[] w = weights(scores);
        double[] cumulative = new double[w.length];
        double total = 0;
        for (int i = 0; i < w.length; i++) {
            total += w[i];
            cumulative[i] = total;
        }
        if (!(total > 0) || Double.isInfinite(total)) {
            throw new IllegalArgumentException("resampling weights must sum to a finite positive number, got "
                    + total + " (scores too large for this reweighting?)");
        }
        int[] drawn = new int[n];
        for (int k = 0; k < n; k++) {
            double u = rng.nextDouble() * total;
            // first index whose cumulative weight exceeds u
            int lo = 0;
            int hi = w.length - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] > u) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            drawn[k] = lo;
        }
        return drawn;
    }
}
