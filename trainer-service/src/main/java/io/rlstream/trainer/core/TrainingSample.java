package io.rlstream.trainer.core;

/**
 * One scored response, as the trainer consumes it.
 *
 * @param promptTokens the prompt as fed to the policy (BOS first)
 * @param responseTokens the sampled response (EOS last unless truncated)
 * @param behaviourLogprobs log π_old of each response token under the generating policy, at the
 *     sampling temperature; same length as {@code responseTokens}
 * @param advantage the response's advantage, broadcast to all its tokens (docs/algorithms.md#advantage-estimators)
 * @param truncated true when overlong filtering marked the response (it hit the length limit
 *     without EOS) to be masked out of the loss
 * @param temperature the sampling temperature the response was generated with; the trainer scores
 *     π_θ (and π_prox, π_ref) at it; NaN when unknown, then {@link TrainerConfig#temperature()}
 * @param maxLength the constant L of Dr.GRPO's {@code seq-mean-token-sum-norm} aggregation: the
 *     generation limit the response was produced with, or {@code trainer.loss.max-length}; 0 when
 *     unknown, then the batch's longest response (docs/algorithms.md#loss-aggregations)
 */
public record TrainingSample(int[] promptTokens, int[] responseTokens, float[] behaviourLogprobs,
        float advantage, boolean truncated, float temperature, int maxLength) {

    /** A sample without its temperature and generation limit (both unknown). */
    public TrainingSample(int[] promptTokens, int[] responseTokens, float[] behaviourLogprobs, float advantage,
            boolean truncated) {
        this(promptTokens, responseTokens, behaviourLogprobs, advantage, truncated, Float.NaN, 0);
    }

    public TrainingSample {
        if (!Float.isNaN(temperature) && !(temperature > 0 && Float.isFinite(temperature))) {
            throw new IllegalArgumentException("temperature must be > 0 and finite (or NaN: unknown), got "
                    + temperature);
        }
        if (maxLength < 0) {
            throw new IllegalArgumentException("maxLength must be >= 0 (0: unknown), got " + maxLength);
        }
        if (responseTokens.length == 0) {
            throw new IllegalArgumentException("a training sample needs at least one response token");
        }
        if (behaviourLogprobs.length != responseTokens.length) {
            throw new IllegalArgumentException("behaviourLogprobs has " + behaviourLogprobs.length
                    + " entries but the response has " + responseTokens.length + " tokens");
        }
        if (!Float.isFinite(advantage)) {
            throw new IllegalArgumentException("advantage must be finite, got " + advantage);
        }
    }
}
