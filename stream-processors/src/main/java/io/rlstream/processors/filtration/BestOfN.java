package io.rlstream.processors.filtration;

import java.util.random.RandomGenerator;

/**
 * PF-PPO's BoN ("best-of-N", arXiv 2409.06957): keep only the response with the highest reward.
 *
 * <pre>
 *   keep = { argmax_i r_i }     ties: the lowest index
 * </pre>
 *
 * <p>A group of one keeps its sample; an empty group keeps nothing.
 */
public final class BestOfN implements PolicyFiltration {

    /** Registry name. */
    public static final String NAME = "best-of-n";

    @Override
    public int[] select(double[] rewards, RandomGenerator rng) {
        Extremes.requireNoNaN(rewards, "reward");
        return rewards.length == 0 ? new int[0] : new int[] {Extremes.best(rewards)};
    }
}
