package io.rlstream.processors.filter;

/**
 * No group filter: every group that has at least one usable sample goes on, since a group with
 * none has nothing to train on.
 */
public final class NonEmpty implements GroupFilter {

    /** Registry name: choosing it turns group filtering off. */
    public static final String NAME = "none";

    @Override
    public Verdict judge(double[] rewards) {
        return rewards.length == 0 ? Verdict.TOO_FEW_SAMPLES : Verdict.KEEP;
    }
}
