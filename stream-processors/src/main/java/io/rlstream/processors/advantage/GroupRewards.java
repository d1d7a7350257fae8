package io.rlstream.processors.advantage;

import java.util.Arrays;

/**
 * The usable samples of one group, in sample order: each one's scalar reward and its response
 * length in tokens |o_i| (the length-weighted baselines and token-level whitening need it).
 * Failed samples are not in here: they are excluded from the group and its baseline, never zeros.
 */
public record GroupRewards(double[] rewards, int[] lengths) {

    public GroupRewards {
        if (rewards == null || lengths == null || rewards.length != lengths.length) {
            throw new IllegalArgumentException("a group needs one length per reward, got "
                    + (rewards == null ? "no rewards" : rewards.length + " rewards") + " and "
                    + (lengths == null ? "no lengths" : lengths.length + " lengths"));
        }
        for (int i = 0; i < rewards.length; i++) {
            if (!Double.isFinite(rewards[i])) {
                throw new IllegalArgumentException("reward " + i + " of the group is " + rewards[i] + "; rewards must be finite");
            }
            if (lengths[i] < 0) {
                throw new IllegalArgumentException("length " + i + " of the group is " + lengths[i] + "; lengths must be >= 0");
            }
        }
        rewards = rewards.clone();
        lengths = lengths.clone();
    }

    /** A group whose lengths do not matter to the estimator (all 1). */
    public static GroupRewards of(double... rewards) {
        int[] ones = new int[rewards.length];
        Arrays.fill(ones, 1);
        return new GroupRewards(rewards, ones);
    }

    public int size() {
        return rewards.length;
    }

    @Override
    public double[] rewards() {
        return rewards.clone();
    }

    @Override
    public int[] lengths() {
        return lengths.clone();
    }

    public double reward(int i) {
        return rewards[i];
    }

    public int length(int i) {
        return lengths[i];
    }
}
