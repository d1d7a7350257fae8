package io.rlstream.trainer.core;

/**
 * What one preference step did.
 *
 * @param loss           the preference loss before the update
 * @param rewardAccuracy share of pairs whose implicit reward margin is positive (chosen preferred)
 * @param meanMargin     mean β·s, the implicit reward margin
 * @param gradNorm       global gradient norm before clipping
 * @param millis         wall-clock time of the step
 */
public record PreferenceStats(double loss, double rewardAccuracy, double meanMargin, double gradNorm, long millis) {}
