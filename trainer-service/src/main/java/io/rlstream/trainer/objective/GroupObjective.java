package io.rlstream.trainer.objective;

import ai.djl.ndarray.NDArray;

/**
 * An objective on whole groups (docs/algorithms.md#group-objectives): the G scored responses of
 * one prompt are trained together, as a ranked list (LiPO-λ) or with the group's success rate
 * (NFT). The trainer's group mode ({@code trainer.mode=group}) reads them from the batches on
 * rl.training-batches, one scored group per record, and keeps each group whole inside a
 * mini-batch. Registered in {@link GroupObjectives}, chosen by {@code trainer.group.objective}.
 */
public interface GroupObjective {

    /**
     * The rows of a mini-batch: whole groups, the rows of a group next to each other.
     *
     * @param logprobs (B, R) log π_θ of the response tokens, with gradient
     * @param oldLogprobs (B, R) log π_old (π_prox with decoupled PPO, else the behaviour policy), constants
     * @param refLogprobs (B, R) log π_ref of the frozen reference policy, constants; null unless
     *     {@link #needsReference()}
     * @param mask (B, R) 1 for response tokens in the loss; a row of zeros (a truncated response
     *     under overlong filtering) takes no part
     * @param rewards (B) the scalar reward of each response
     * @param groups (B) the group of each row, 0-based, non-decreasing
     */
    record Input(NDArray logprobs, NDArray oldLogprobs, NDArray refLogprobs, NDArray mask, double[] rewards,
            int[] groups) {

        public Input {
            long rows = logprobs.getShape().get(0);
            if (rewards.length != rows || groups.length != rows) {
                throw new IllegalArgumentException("expected " + rows + " rewards and group indices, got "
                        + rewards.length + " and " + groups.length);
            }
            for (int i = 1; i < groups.length; i++) {
                if (groups[i] < groups[i - 1]) {
                    throw new IllegalArgumentException("the rows of a group must be next to each other, got group "
                            + groups[i] + " after group " + groups[i - 1] + " at row " + i);
                }
            }
        }
    }

    /**
     * The loss and its diagnostics.
     *
     * @param loss scalar NDArray carrying the autograd graph
     * @param terms how many terms the loss has: tokens (NFT), pairs of different reward (LiPO-λ);
     *     0 means there was nothing to learn from and the trainer takes no step
     * @param clipFraction share of the terms where a clamp was active (NFT's negative clamp)
     * @param meanRatio token mean of π_θ/π_old (NFT); 1 where unused
     * @param rankAccuracy share of pairs whose better response has the higher implicit reward (LiPO-λ)
     * @param meanMargin mean implicit reward margin s_i − s_j over pairs (LiPO-λ)
     */
    record Result(NDArray loss, long terms, double clipFraction, double meanRatio, double rankAccuracy,
            double meanMargin) {
    }

    Result compute(Input input);

    /**
     * The weight of the loss over rows [from, to) of a mini-batch, whole groups computed alone with
     * their arrays padded to {@code partWidth} columns, in the loss over the whole mini-batch: over
     * micro-batches that partition the mini-batch, Σ share·loss(part) = loss(mini-batch), what
     * gradient accumulation needs (the trainer's {@code trainer.micro.batch.rows} in group mode).
     *
     * @param mask (B, R) the mini-batch's mask, R its padded width
     * @param rewards (B) the mini-batch's rewards
     * @param groups (B) the group of each row, as in {@link Input}
     * @return the share, 0 when the part or the whole has no term
     */
    double share(NDArray mask, double[] rewards, int[] groups, int from, int to, int partWidth);

    /** Whether {@link Input#refLogprobs()} is needed (the trainer then loads the reference policy). */
    boolean needsReference();
}
