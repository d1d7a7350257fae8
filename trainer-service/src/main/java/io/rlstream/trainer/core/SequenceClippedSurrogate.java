package io.rlstream.trainer.core;

import ai.djl.ndarray.NDArray;
import io.rlstream.model.autograd.Scalars;

/**
 * GSPO, Group Sequence Policy Optimization (Zheng et al. 2025, arXiv 2507.18071): the clipped
 * surrogate with one importance ratio per sequence, the length-normalised (geometric-mean) ratio of
 * the whole response, as verl's {@code compute_policy_loss_gspo} computes it
 * (docs/algorithms.md#policy-losses). For response i with advantage A_i:
 *
 * <pre>
 *   s_i     = exp( Σ_t (log π_θ(o_it) − log π_old(o_it)) / |o_i| )
 *   s_it    = exp(min(sg[log s_i] + log π_θ(o_it) − sg[log π_θ(o_it)], 10))   (value s_i)
 *   ℓ_it    = max(−A_i·s_it, −A_i·clip(s_it, 1 − ε_low, 1 + ε_high))
 * </pre>
 *
 * The value of s_it is s_i for every token of the sequence, so the clip acts on whole sequences;
 * the stop-gradient (sg) form gives token t the gradient −A_i·s_i·∇log π_θ(o_it), whose
 * {@code seq-mean-token-mean} aggregate is exactly ∇ of (1/B) Σ_i −A_i·s_i (GSPO's sequence-level
 * gradient, eq. 10 of the paper). verl always aggregates GSPO with seq-mean-token-mean; this class
 * takes the aggregation it is given, and the trainer service gives it seq-mean-token-mean unless
 * {@code trainer.loss.aggregation} is set (AReaL's sequence-level importance ratio keeps its
 * token aggregation). ε_low, ε_high: GSPO's 3e-4 and 4e-4 (the paper, v2 §5.1; verl's recipe),
 * {@code trainer.gspo.clip.low}/{@code .high}. No dual clip (verl's GSPO has none). Behaviour
 * weights of decoupled PPO multiply each token's loss before aggregation, as verl applies its
 * rollout importance weights.
 */
public final class SequenceClippedSurrogate implements PolicyLoss {

    /** Registry name ({@code trainer.policy.loss}). */
    public static final String NAME = "gspo";
    /** The per-token loss in one line. */
    public static final String FORMULA =
            "max(-A*s, -A*clip(s, 1-eps_low, 1+eps_high)); s = exp(mean_t(log pi - log pi_old)) per sequence";
    /** GSPO's clip range (arXiv 2507.18071 v2, section 5.1; verl's gspo recipe). */
    public static final double DEFAULT_CLIP_LOW = 3e-4;
    /** GSPO's clip range (arXiv 2507.18071 v2, section 5.1; verl's gspo recipe). */
    public static final double DEFAULT_CLIP_HIGH = 4e-4;

    /** verl clamps the log of the combined ratio at 10 "for numerical stability". */
    private static final float MAX_LOG_RATIO = 10f;

    private final float clipLow;
    private final float clipHigh;
    private final Aggregation aggregation;

    /**
     * @param clipLow ε_low (GSPO 3e-4)
     * @param clipHigh ε_high (GSPO 4e-4)
     * @param aggregation how token losses are combined (verl: seq-mean-token-mean)
     */
    public SequenceClippedSurrogate(double clipLow, double clipHigh, Aggregation aggregation) {
        if (!(clipLow >= 0 && clipLow < 1 && clipHigh >= 0)) {
            throw new IllegalArgumentException(
                    "need 0 <= clipLow < 1 and clipHigh >= 0, got " + clipLow + ", " + clipHigh);
        }
        if (aggregation == null) {
            throw new IllegalArgumentException("an aggregation is required (verl's GSPO: seq-mean-token-mean)");
        }
        this.clipLow = (float) clipLow;
        this.clipHigh = (float) clipHigh;
        this.aggregation = aggregation;
    }

    /**
     * @param logprobs (B, R) log π_θ of the response tokens, with gradient
     * @param oldLogprobs (B, R) log π_old (π_prox in decoupled PPO), constants
     * @param advantages (B, 1) advantages, one per sequence, constants
     * @param mask (B, R) 1 for response tokens in the loss
     * @param behaviourWeights (B, R) or (B, 1) constant weights π_prox/π_behav; null means 1
     */
    @Override
    public Result compute(NDArray logprobs, NDArray oldLogprobs, NDArray advantages, NDArray mask,
            NDArray behaviourWeights) {
        NDArray lengths = mask.sum(new int[] {1}, true).maximum(1f);
        NDArray sequenceLogRatio = logprobs.sub(oldLogprobs).mul(mask).sum(new int[] {1}, true).div(lengths);
        NDArray logRatio = logprobs.sub(logprobs.stopGradient()).add(sequenceLogRatio.stopGradient());
        NDArray ratio = Scalars.atMost(logRatio, MAX_LOG_RATIO).exp();
        NDArray negAdvantage = advantages.neg();
        NDArray unclipped = negAdvantage.mul(ratio);
        NDArray clipped = negAdvantage.mul(ratio.clip(1 - clipLow, 1 + clipHigh));
        NDArray perToken = unclipped.maximum(clipped);
        double tokens = mask.sum().getFloat();
        double clipFraction = clipped.gt(unclipped).toType(mask.getDataType(), false).mul(mask)
                .sum().getFloat() / tokens;
        double meanRatio = ratio.stopGradient().mul(mask).sum().getFloat() / tokens;
        if (behaviourWeights != null) {
            perToken = perToken.mul(behaviourWeights.stopGradient());
        }
        return new Result(aggregation.apply(perToken.mul(mask), mask), clipFraction, meanRatio);
    }
}
