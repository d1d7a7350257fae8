package io.rlstream.processors.advantage;

import java.util.List;

/**
 * Turns the rewards of a group (the usable samples of one prompt) into one advantage per sample,
 * broadcast later to all tokens of that sample (docs/algorithms.md#advantage-estimators).
 *
 * <p>Two stages, because some estimators need more than one group. {@link #advantages} runs when a
 * group completes (in parallel, per group partition). {@link #normalizeBatch} runs when B kept
 * groups form a training batch (on the single batch partition); it sees the advantages of the
 * first stage and returns the final ones. Most estimators are group-only and keep the default,
 * which returns the first stage's advantages unchanged.
 *
 * <p>Implementations are pure functions, registered by name in {@link AdvantageEstimators}; the
 * Javadoc of each states its formula and source.
 */
public interface AdvantageEstimator {

    /**
     * Group stage.
     *
     * @return one advantage per sample of {@code group}, same order; empty for an empty group
     */
    float[] advantages(GroupRewards group);

    /**
     * Batch stage. {@code groups.get(k)} are the rewards and lengths of the k-th group of the batch
     * and {@code advantages.get(k)} its group-stage advantages (same order and sizes). Must not
     * modify its arguments.
     *
     * @return the final advantages, one array per group, same sizes
     */
    default List<float[]> normalizeBatch(List<GroupRewards> groups, List<float[]> advantages) {
        return advantages;
    }

    /** Whether {@link #normalizeBatch} changes anything; lets the batch assembler skip it. */
    default boolean hasBatchStage() {
        return false;
    }
}
