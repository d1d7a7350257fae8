package io.rlstream.processors.filtration;

import java.util.random.RandomGenerator;

/**
 * PF-PPO's BR ("best-random", arXiv 2409.06957): keep the response with the highest reward and
 * one other response drawn uniformly from the remaining G − 1.
 *
 * <pre>
 *   b = argmax_i r_i  (ties: lowest index);   o ~ Uniform({0..G−1} \ {b});   keep = sort({b, o})
 * </pre>
 *
 * <p>The other is uniform over indices, not over reward values: it may tie the best's reward.
 * Exactly one {@code rng.nextInt(G − 1)} call per group of G ≥ 2; groups of one keep {0} and
 * groups of none keep nothing, without touching {@code rng}.
 */
public final class BestRandom implements PolicyFiltration {

    /** Registry name. */
    public static final String NAME = "best-random";

    @Override
    public int[] select(double[] rewards, RandomGenerator rng) {
        return Extremes.bestAndOther(rewards, best -> {
            // draw among the G − 1 others: shift indices at or above the best up by one
            int other = rng.nextInt(rewards.length - 1);
            return other >= best ? other + 1 : other;
        });
    }
}
