package io.rlstream.trainer.core;

/**
 * GRPO advantages for the in-process experiment (the production estimators live in
 * stream-processors): A_i = (r_i − mean) / (std + 1e-6) with the sample standard deviation
 * (÷ (G − 1)) as verl, TRL and OpenRLHF (docs/algorithms.md#advantage-estimators; Shao et al. 2024, arXiv 2402.03300).
 */
final class GroupAdvantage {

    private static final double EPSILON = 1e-6;

    private GroupAdvantage() {}

    /**
     * Advantages of {@code rewards[start .. start + size)}, or null when all rewards are equal
     * (the group carries no signal and DAPO's dynamic sampling drops it). A group of one has
     * advantage 0 and is dropped too.
     */
    static float[] grpo(float[] rewards, int start, int size) {
        if (size < 2) {
            return null;
        }
        double mean = 0;
        for (int i = 0; i < size; i++) {
            mean += rewards[start + i];
        }
        mean /= size;
        double squares = 0;
        for (int i = 0; i < size; i++) {
            double d = rewards[start + i] - mean;
            squares += d * d;
        }
        if (squares == 0) {
            return null;
        }
        double std = Math.sqrt(squares / (size - 1));
        float[] advantages = new float[size];
        for (int i = 0; i < size; i++) {
            advantages[i] = (float) ((rewards[start + i] - mean) / (std + EPSILON));
        }
        return advantages;
    }
}
