package io.rlstream.trainer.core;

import ai.djl.ndarray.NDArray;
import io.rlstream.model.autograd.Scalars;

/**
 * A policy-gradient loss over the response tokens of a batch: the per-token loss of the sampled
 * tokens under π_θ against π_old, weighted, masked and aggregated into one number. The losses are
 * registered in {@link PolicyLosses} and chosen by {@code trainer.policy.loss}.
 */
public interface PolicyLoss {

    /** How token losses become one number (docs/algorithms.md#policy-losses); named by {@link LossAggregations}. */
    enum Aggregation {
        /** Σ_t ℓ_t / Σ|o|: every token weighs the same (DAPO; the default). */
        TOKEN_MEAN {
            @Override
            public NDArray apply(NDArray maskedLoss, NDArray mask) {
                return maskedLoss.sum().div(mask.sum());
            }
        },
        /** mean over sequences of each sequence's token mean (original GRPO). */
        SEQ_MEAN_TOKEN_MEAN {
            @Override
            public NDArray apply(NDArray maskedLoss, NDArray mask) {
                return maskedLoss.sum(new int[] {1}).div(mask.sum(new int[] {1}).maximum(1f)).mean();
            }
        },
        /**
         * Σ_t ℓ_t / (B·L) with L a constant length (Dr.GRPO, arXiv 2503.20783: its
         * generate_max_length). {@link #apply} divides by the padded width of the arrays it gets;
         * the trainer multiplies by {@link #widthCorrection} to make that the constant L, so the
         * same response weighs the same in every batch (issue 15).
         */
        SEQ_MEAN_TOKEN_SUM_NORM {
            @Override
            public NDArray apply(NDArray maskedLoss, NDArray mask) {
                return Scalars.dividedBy(maskedLoss.sum(), mask.getShape().size());
            }

            @Override
            public double widthCorrection(long paddedWidth, long maxLength) {
                return maxLength > 0 ? (double) paddedWidth / maxLength : 1;
            }
        };

        /**
         * The weight of a micro-batch's {@link #apply} in the aggregate of the mini-batch it is part
         * of, so that the micro-batches' weighted losses sum to the mini-batch's (gradient
         * accumulation): its share of the tokens for the token mean, of the rows for the sequence
         * means (whose denominators count rows).
         */
        public double share(long microRows, long miniRows, double microTokens, double miniTokens) {
            return this == TOKEN_MEAN ? microTokens / miniTokens : (double) microRows / miniRows;
        }

        /**
         * The factor that turns {@link #apply} over arrays padded to {@code paddedWidth} columns into
         * the aggregation normalised by the constant length {@code maxLength} (≤ 0: unknown, no
         * change). 1 for every aggregation that does not depend on the padding.
         */
        public double widthCorrection(long paddedWidth, long maxLength) {
            return 1;
        }

        /**
         * @param maskedLoss (B, R) per-token losses, already multiplied by the mask
         * @param mask       (B, R) 1 for tokens in the loss
         * @return the scalar loss
         */
        public abstract NDArray apply(NDArray maskedLoss, NDArray mask);
    }

    /**
     * The loss and its diagnostics.
     *
     * @param loss scalar NDArray carrying the autograd graph
     * @param clipFraction share of tokens where a clip was active (verl's clipfrac); 0 for unclipped losses
     * @param meanRatio token mean of π_θ/π_old
     */
    record Result(NDArray loss, double clipFraction, double meanRatio) {}

    /**
     * @param logprobs (B, R) log π_θ of the response tokens, with gradient
     * @param oldLogprobs (B, R) log π_old (π_prox in decoupled PPO), constants
     * @param advantages (B, 1) or (B, R) advantages, constants
     * @param mask (B, R) 1 for response tokens in the loss, 0 for padding and masked tokens
     * @param behaviourWeights (B, R) or (B, 1) constant per-token weights π_prox/π_behav applied before
     *     aggregation (decoupled PPO); null means 1 everywhere
     */
    Result compute(NDArray logprobs, NDArray oldLogprobs, NDArray advantages, NDArray mask, NDArray behaviourWeights);

    /** The loss without behaviour weights (coupled PPO: π_old is the behaviour policy). */
    default Result compute(NDArray logprobs, NDArray oldLogprobs, NDArray advantages, NDArray mask) {
        return compute(logprobs, oldLogprobs, advantages, mask, null);
    }
}
