package io.rlstream.processors.curriculum;

import java.util.List;

/**
 * What the selectors are configured with (the {@code selector.*} settings).
 *
 * @param windowLo          pass-rate-window: lowest estimated pass rate dispatched
 * @param windowHi          pass-rate-window: highest estimated pass rate dispatched
 * @param explore           pass-rate-window: share of picks spent on unseen prompts
 * @param pools             difficulty-pools: the pools, bounds rising to 1
 * @param pclCandidates     pcl: k, candidates scored per prompt dispatched
 * @param pclTau            pcl: τ, the expected reward aimed at
 * @param valueModel        pcl: the value model's size, learning rate and seed
 */
public record SelectorOptions(double windowLo, double windowHi, double explore, List<DifficultyPool> pools,
        int pclCandidates, double pclTau, ValueModelOptions valueModel) {

    /** The documented defaults (AReaL's window 0.05..0.95, prime-rl's pools, PCL's τ = 0.5). */
    public static SelectorOptions defaults() {
        return new SelectorOptions(0.05, 0.95, 0.2, DifficultyPool.parse(DifficultyPool.DEFAULTS), 2, 0.5,
                ValueModelOptions.defaults());
    }
}
