package io.rlstream.processors.advantage;

/**
 * Turns the rewards of one group (the usable samples of one prompt) into one advantage per
 * sample, broadcast later to all tokens of that sample (ALGORITHMS.md §1).
 *
 * <p>Implementations are pure functions of the rewards, registered by name in
 * {@link AdvantageEstimators}; the Javadoc of each states its formula and source.
 */
@FunctionalInterface
public interface AdvantageEstimator {

    /**
     * @param rewards rewards of the group's usable samples, in sample order; failed samples are not
     *                in here (they are excluded from the group and its baseline, never zeros)
     * @return one advantage per reward, same order; empty for an empty group
     */
    float[] advantages(double[] rewards);
}
