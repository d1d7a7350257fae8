package io.rlstream.trainer.core;

/**
 * One preference pair as the trainer consumes it (from rl.preference-pairs).
 *
 * @param promptTokens   the prompt (BOS first)
 * @param chosenTokens   the preferred response
 * @param rejectedTokens the other response
 */
public record PreferenceSample(int[] promptTokens, int[] chosenTokens, int[] rejectedTokens) {

    public PreferenceSample {
        if (chosenTokens.length == 0 || rejectedTokens.length == 0) {
            throw new IllegalArgumentException("a preference pair needs a non-empty chosen and rejected response, got "
                    + chosenTokens.length + " and " + rejectedTokens.length + " tokens");
        }
    }
}
