package io.rlstream.trainer.core;

/**
 * What one training step did, for metrics (means over the step's optimizer updates unless said).
 *
 * @param loss              the whole objective before each update
 * @param policyLoss        its clipped-surrogate part
 * @param kl                token mean of the KL estimate between π_θ and the reference (0 without one)
 * @param klCoef            β in effect for this step (the adaptive controller moves it)
 * @param entropy           token mean of the policy's entropy
 * @param clipFraction      share of response tokens whose ratio was clipped (PPO's clipfrac)
 * @param meanRatio         mean π_θ/π_prox over response tokens; 1 at the first update
 * @param gradNorm          global L2 norm of the gradient before clipping (last update of the step)
 * @param weightMean        mean behaviour weight π_prox/π_behav before truncation or masking (1 on-policy)
 * @param weightMax         largest behaviour weight before truncation or masking
 * @param fractionTruncated share of tokens (or sequences) whose weight TIS truncated
 * @param fractionMasked    share of tokens (or sequences) MIS masked out
 * @param tokens            response tokens in the loss
 * @param millis            wall-clock time of the step
 */
public record StepStats(double loss, double policyLoss, double kl, double klCoef, double entropy,
        double clipFraction, double meanRatio, double gradNorm, double weightMean, double weightMax,
        double fractionTruncated, double fractionMasked, long tokens, long millis) {

    /** Response tokens trained on per second of this step. */
    public double tokensPerSecond() {
        return millis == 0 ? 0 : tokens * 1000.0 / millis;
    }

    static StepStats skipped(long millis) {
        return new StepStats(0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, millis);
    }
}
