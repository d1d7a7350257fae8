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

    /** Keeps every group that has at least one usable sample: no filtering beyond "nothing to train on". */
    static GroupFilter nonEmpty() {
        return rewards -> rewards.length == 0 ? Verdict.TOO_FEW_SAMPLES : Verdict.KEEP;
    }
}
