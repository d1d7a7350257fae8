package io.rlstream.processors.filtration;

import java.util.random.RandomGenerator;

/**
 * PF-PPO's policy filtration (Zhang et al., "Policy Filtration for RLHF to Mitigate Noise in
 * Reward Models", arXiv 2409.06957): of the G responses sampled for one prompt, train only on a
 * subset chosen by their (proxy) rewards, because the reward model is more reliable on some
 * responses (typically the best and the worst) than on the middle of the range.
 *
 * <p>Applied per group after the advantages were computed over the whole group, as a selection
 * of training samples: the advantages of the kept samples stay what the full group gave them.
 * Pick a strategy with {@link FiltrationR2}: the paper chooses the one whose kept samples show the
 * highest R² between proxy reward and true score.
 *
 * <p>Implementations are pure and stateless. Ties are broken by the lowest index, so the choice
 * depends only on the rewards (and on {@code rng} where the strategy is random).
 */
@FunctionalInterface
public interface PolicyFiltration {

    /**
     * @param rewards proxy rewards of the group's samples, all finite or ±∞ (NaN is rejected)
     * @param rng     source of randomness for random strategies; deterministic ones ignore it
     * @return indices of the samples to keep, ascending, without duplicates; empty for an empty group
     * @throws IllegalArgumentException when a reward is NaN
     */
    int[] select(double[] rewards, RandomGenerator rng);
}
