package io.rlstream.processors.filter;

/**
 * Decides whether a completed group goes on to training, from the rewards of its usable samples.
 * Pure: no Kafka, no state.
 */
@FunctionalInterface
public interface GroupFilter {

    /**
     * @param rewards rewards of the group's usable samples (failed samples excluded)
     */
    Verdict judge(double[] rewards);
}
