package io.rlstream.trainer.core;

/**
 * One scored response of a group, as the group objectives consume it
 * (docs/algorithms.md#group-objectives): what {@link TrainingSample} holds, with the reward in
 * place of the advantage.
 *
 * @param promptTokens the prompt as fed to the policy (BOS first)
 * @param responseTokens the sampled response (EOS last unless truncated)
 * @param behaviourLogprobs log π_behav of each response token; same length as {@code responseTokens}
 * @param reward the response's scalar reward
 * @param truncated true when overlong filtering marked the response to be masked out of the loss
 * @param temperature the sampling temperature of the response, which the trainer scores it at; NaN
 *     when unknown, then {@link TrainerConfig#temperature()} (issue 15)
 */
public record GroupSample(int[] promptTokens, int[] responseTokens, float[] behaviourLogprobs, double reward,
        boolean truncated, float temperature) {

    /** A sample without its temperature (unknown). */
    public GroupSample(int[] promptTokens, int[] responseTokens, float[] behaviourLogprobs, double reward,
            boolean truncated) {
        this(promptTokens, responseTokens, behaviourLogprobs, reward, truncated, Float.NaN);
    }

    public GroupSample {
        if (responseTokens.length == 0) {
            throw new IllegalArgumentException("a group sample needs at least one response token");
        }
        if (behaviourLogprobs.length != responseTokens.length) {
            throw new IllegalArgumentException("behaviourLogprobs has " + behaviourLogprobs.length
                    + " entries but the response has " + responseTokens.length + " tokens");
        }
        if (!Float.isNaN(temperature) && !(temperature > 0 && Float.isFinite(temperature))) {
            throw new IllegalArgumentException("temperature must be > 0 and finite (or NaN: unknown), got "
                    + temperature);
        }
        if (!Double.isFinite(reward)) {
            throw new IllegalArgumentException("reward must be finite, got " + reward);
        }
    }
}
