package io.rlstream.trainer.core;

/**
 * What one training step did, for metrics.
 *
 * @param loss the objective before the update (mean over the step's updates)
 * @param clipFraction share of response tokens whose ratio was clipped (PPO's clipfrac)
 * @param meanRatio mean π_θ/π_old over response tokens; 1 when the data is on-policy
 * @param gradNorm global L2 norm of the gradient before clipping (last update of the step)
 * @param tokens response tokens in the loss
 * @param millis wall-clock time of the step
 */
public record StepStats(double loss, double clipFraction, double meanRatio, double gradNorm,
        long tokens, long millis) {}
