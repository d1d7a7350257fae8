package io.rlstream.processors.filter;

/** Outcome of a {@link GroupFilter}: keep the group, or drop it for a named reason. */
public enum Verdict {
    KEEP(""),
    /** Fewer usable samples than the filter needs (all failed, or one left without a contrast). */
    TOO_FEW_SAMPLES("too_few_samples"),
    /** Every usable sample has the same reward: zero advantage, no gradient (DAPO). */
    EQUAL_REWARDS("equal_rewards"),
    /** The group timed out (group.timeout.ms) with fewer usable samples than group.min-samples. */
    TIMED_OUT("timed_out");

    private final String reason;

    Verdict(String reason) {
        this.reason = reason;
    }

    public boolean kept() {
        return this == KEEP;
    }

    /** Why the group was dropped, in snake case for metrics and batch stats; empty when kept. */
    public String reason() {
        return reason;
    }
}
