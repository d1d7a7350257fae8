package io.rlstream.processors.filtration;

import java.util.random.RandomGenerator;

/** No filtration: every sample of the group is trained on (plain PPO/GRPO, PF-PPO's baseline). */
public final class KeepAll implements PolicyFiltration {

    /** Registry name. */
    public static final String NAME = "none";

    @Override
    public int[] select(double[] rewards, RandomGenerator rng) {
        Extremes.requireNoNaN(rewards, "reward");
        int[] all = new int[rewards.length];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return all;
    }
}
