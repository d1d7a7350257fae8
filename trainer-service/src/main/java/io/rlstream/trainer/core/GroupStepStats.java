package io.rlstream.trainer.core;

/**
 * What one group step did (means over the step's optimizer updates).
 *
 * @param step         loss, entropy, clip fraction (NFT's negative clamp), mean ratio, gradient norm,
 *                     tokens and time, as an RL step reports them ({@code policyLoss} = {@code loss})
 * @param terms        terms of the objective in the last update: tokens (NFT) or weighted pairs (LiPO-λ)
 * @param rankAccuracy share of pairs whose better response has the higher implicit reward (LiPO-λ)
 * @param meanMargin   mean implicit reward margin s_i − s_j over pairs (LiPO-λ)
 */
public record GroupStepStats(StepStats step, long terms, double rankAccuracy, double meanMargin) {
}
