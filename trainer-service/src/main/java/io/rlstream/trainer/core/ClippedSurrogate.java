package io.rlstream.trainer.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import io.rlstream.model.autograd.Scalars;

/**
 * The clipped surrogate policy loss of PPO (Schulman et al. 2017, arXiv 1707.06347) with DAPO's
 * asymmetric "clip-higher" (Yu et al. 2025, arXiv 2503.14476) and optional dual clip
 * (Ye et al. 2020, arXiv 1912.09729), as in verl's {@code compute_policy_loss}. Per response
 * token t with advantage A:
 *
 * <pre>
 *   u_t = exp(clamp(log π_θ(o_t) − log π_old(o_t), −20, 20))
 *   ℓ_t = max(−A·u_t, −A·clip(u_t, 1 − ε_low, 1 + ε_high))
 *   if A &lt; 0 and dual clip c &gt; 1:  ℓ_t = min(ℓ_t, −A·c)
 * </pre>
 *
 * π_old is the behaviour policy (the log-probabilities stored with the sample). The token losses
 * are aggregated by {@link PolicyLoss.Aggregation} (docs/algorithms.md#policy-losses; default token-mean Σℓ/Σ|o|, DAPO).
 *
 * <p>Decoupled PPO (AReaL, arXiv 2505.24298; docs/algorithms.md#staleness-bounded-admission) uses the five-argument
 * {@link #compute(NDArray, NDArray, NDArray, NDArray, NDArray)}: π_old is then π_prox, the policy
 * at the start of the step, and a constant behaviour weight w_t = π_prox/π_behav (see
 * {@code io.rlstream.trainer.objective.ImportanceCorrection}) multiplies each token's clipped
 * loss before aggregation, loss = Σ_t w_t·ℓ_t / N with N the aggregation's normaliser.
 */
public final class ClippedSurrogate implements PolicyLoss {

    /** Registry name ({@code trainer.policy.loss}). */
    public static final String NAME = "ppo-clip";
    /** The per-token loss in one line (ASCII-or-Unicode, for terminals). */
    public static final String FORMULA = "max(-A*u, -A*clip(u, 1-eps_low, 1+eps_high)), capped at -A*c for A<0; u = pi/pi_old";

    private static final float MAX_LOG_RATIO = 20f;

    private final float clipLow;
    private final float clipHigh;
    private final float dualClip;
    private final Aggregation aggregation;

    /**
     * @param clipLow ε_low (PPO 0.2)
     * @param clipHigh ε_high (PPO 0.2, DAPO 0.28)
     * @param dualClip c of the dual clip for negative advantages (verl 3); ≤ 1 disables it
     * @param aggregation how token losses are combined
     */
    public ClippedSurrogate(double clipLow, double clipHigh, double dualClip, Aggregation aggregation) {
        if (!(clipLow >= 0 && clipLow < 1 && clipHigh >= 0)) {
            throw new IllegalArgumentException(
                    "need 0 <= clipLow < 1 and clipHigh >= 0, got " + clipLow + ", " + clipHigh);
        }
        this.clipLow = (float) clipLow;
        this.clipHigh = (float) clipHigh;
        this.dualClip = (float) dualClip;
        this.aggregation = aggregation;
    }

    /**
     * Decoupled PPO: the clip is centred on π_prox and each token's clipped loss is scaled by its
     * behaviour weight before aggregation. The normaliser N is unchanged (Σ mask for token-mean),
     * so a token with weight 0 still counts in N. Clip fraction and mean ratio are unweighted.
     *
     * @param logprobs (B, R) log π_θ of the response tokens, with gradient
     * @param oldLogprobs (B, R) log π_prox, constants
     * @param advantages (B, 1) or (B, R) advantages, constants
     * @param mask (B, R) 1 for response tokens in the loss, 0 for padding and masked tokens
     * @param behaviourWeights (B, R) or (B, 1) w_t = π_prox/π_behav after truncation or masking;
     *     treated as constants (detached); null means 1 everywhere
     */
    @Override
    public Result compute(NDArray logprobs, NDArray oldLogprobs, NDArray advantages, NDArray mask,
            NDArray behaviourWeights) {
        NDArray ratio = logprobs.sub(oldLogprobs).clip(-MAX_LOG_RATIO, MAX_LOG_RATIO).exp();
        NDArray negAdvantage = advantages.neg();
        NDArray unclipped = negAdvantage.mul(ratio);
        NDArray clipped = negAdvantage.mul(ratio.clip(1 - clipLow, 1 + clipHigh));
        NDArray perToken = unclipped.maximum(clipped);
        if (dualClip > 1) {
            NDArray capped = perToken.minimum(Scalars.times(negAdvantage, dualClip));
            perToken = NDArrays.where(advantages.lt(0).broadcast(perToken.getShape()), capped,
                    perToken);
        }
        double tokens = mask.sum().getFloat();
        double clipFraction = clipped.gt(unclipped).toType(mask.getDataType(), false).mul(mask)
                .sum().getFloat() / tokens;
        double meanRatio = ratio.mul(mask).sum().getFloat() / tokens;
        if (behaviourWeights != null) {
            perToken = perToken.mul(behaviourWeights.stopGradient());
        }
        return new Result(aggregation.apply(perToken.mul(mask), mask), clipFraction, meanRatio);
    }
}
