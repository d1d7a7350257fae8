package io.rlstream.processors.pairs;

import java.util.Optional;

/**
 * One preference pair from a group of sampled responses, for DPO-style training on on-policy
 * samples (docs/algorithms.md#preference-losses): chosen = highest reward, rejected = lowest;
 * skip ties. Online iterative DPO builds its pairs the same way, from the best and the worst of
 * N samples per prompt (e.g. Dong et al., "RLHF Workflow", arXiv 2405.07863).
 *
 * <pre>
 *   chosen   = lowest index among argmax_i r_i
 *   rejected = lowest index among argmin_i r_i
 *   no pair when G &lt; 2 or max r = min r
 * </pre>
 *
 * <p>An all-equal group has no preference to learn, the pair analogue of DAPO's dynamic sampling.
 */
public final class PreferencePairs {

    /** Indices into the group's samples; never equal. */
    public record Pair(int chosen, int rejected) {
        public Pair {
            if (chosen < 0 || rejected < 0 || chosen == rejected) {
                throw new IllegalArgumentException("a pair needs two distinct sample indices >= 0, got chosen "
                        + chosen + " and rejected " + rejected);
            }
        }
    }

    private PreferencePairs() {
    }

    /**
     * @param rewards rewards of the group's usable samples
     * @return the pair, or empty when there are fewer than two samples or all rewards are equal
     * @throws IllegalArgumentException when a reward is NaN (it has no place in a ranking)
     */
    public static Optional<Pair> select(double[] rewards) {
        for (int i = 0; i < rewards.length; i++) {
            if (Double.isNaN(rewards[i])) {
                throw new IllegalArgumentException("reward " + i + " is NaN; expected a number"
                        + " (leave failed samples out before pairing)");
            }
        }
        if (rewards.length < 2) {
            return Optional.empty();
        }
        int best = 0;
        int worst = 0;
        for (int i = 1; i < rewards.length; i++) {
            // strict comparisons keep the lowest index on ties
            if (rewards[i] > rewards[best]) {
                best = i;
            }
            if (rewards[i] < rewards[worst]) {
                worst = i;
            }
        }
        // max == min exactly when no reward beat the first in either direction
        return rewards[best] == rewards[worst] ? Optional.empty() : Optional.of(new Pair(best, worst));
    }
}
