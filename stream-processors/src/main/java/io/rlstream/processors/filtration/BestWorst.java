package io.rlstream.processors.filtration;

import java.util.random.RandomGenerator;

/**
 * PF-PPO's BW ("best-worst", arXiv 2409.06957): keep the response with the highest reward and
 * the one with the lowest, where a reward model is most reliable.
 *
 * <pre>
 *   b = lowest index among argmax_i r_i;   w = lowest index among argmin_{i≠b} r_i;   keep = sort({b, w})
 * </pre>
 *
 * <p>When all rewards are equal this keeps two distinct samples, {0, 1}: the best is index 0 and
 * the worst is the lowest index that is not the best. A group of one keeps {0}; an empty group
 * keeps nothing.
 */
public final class BestWorst implements PolicyFiltration {

    /** Registry name. */
    public static final String NAME = "best-worst";

    @Override
    public int[] select(double[] rewards, RandomGenerator rng) {
        return Extremes.bestAndOther(rewards, best -> Extremes.worstExcept(rewards, best));
    }
}
