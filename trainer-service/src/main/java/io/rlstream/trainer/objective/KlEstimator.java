package io.rlstream.trainer.objective;

import ai.djl.ndarray.NDArray;
import io.rlstream.model.autograd.Scalars;

/**
 * Per-token estimators of KL(π_θ ‖ π_ref) from the log-probabilities of the sampled tokens
 * (Schulman, "Approximating KL divergence", 2020; verl's {@code kl_penalty}, docs/algorithms.md#kl-estimators). With
 * d = log π_θ(o_t) − log π_ref(o_t), clamped to ±20 so that exp(−d) stays finite:
 *
 * <pre>
 *   k1 = d                  unbiased, high variance, can be negative    verl "kl"
 *   k2 = d²/2               biased, low variance                        verl "mse"
 *   k3 = exp(−d) + d − 1    unbiased, ≥ 0, low variance, clamped ±10    verl "low_var_kl"
 * </pre>
 *
 * The gradient flows through {@code logprobs} only; {@code refLogprobs} is detached. The
 * derivatives per token are k1' = 1, k2' = d, k3' = 1 − exp(−d), and 0 where a clamp is active.
 * The result is per token and not masked: multiply by the response mask before aggregating.
 * {@link KlEstimators} names them for the configuration.
 */
public enum KlEstimator {
    /** k1 = d. */
    K1 {
        @Override
        NDArray of(NDArray d) {
            return d;
        }
    },
    /** k2 = d²/2. */
    K2 {
        @Override
        NDArray of(NDArray d) {
            return Scalars.dividedBy(d.square(), 2);
        }
    },
    /** k3 = exp(−d) + d − 1, clamped to ±10 as verl's low_var_kl. */
    K3 {
        @Override
        NDArray of(NDArray d) {
            return d.neg().exp().add(d).sub(1f).clip(-MAX_K3, MAX_K3);
        }
    };

    private static final float MAX_LOG_RATIO = 20f;
    private static final float MAX_K3 = 10f;

    abstract NDArray of(NDArray d);

    /**
     * @param logprobs (B, R) log π_θ of the sampled tokens, with gradient
     * @param refLogprobs (B, R) log π_ref of the same tokens under the frozen reference
     * @return (B, R) the estimate per token, unmasked
     */
    public NDArray apply(NDArray logprobs, NDArray refLogprobs) {
        if (!logprobs.getShape().equals(refLogprobs.getShape())) {
            throw new IllegalArgumentException("logprobs and refLogprobs must have the same shape, got "
                    + logprobs.getShape() + " and " + refLogprobs.getShape());
        }
        return of(logprobs.sub(refLogprobs.stopGradient()).clip(-MAX_LOG_RATIO, MAX_LOG_RATIO));
    }
}
