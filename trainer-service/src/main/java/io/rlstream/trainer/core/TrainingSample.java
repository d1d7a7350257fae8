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
 */
public record TrainingSample(int[] promptTokens, int[] responseTokens, float[] behaviourLogprobs,
        float advantage, boolean truncated) {

    public TrainingSample {
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
