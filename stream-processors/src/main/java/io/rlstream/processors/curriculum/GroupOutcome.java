package io.rlstream.processors.curriculum;

import io.rlstream.events.PromptStats;

/**
 * One completed group of a prompt, as rl.prompt-stats reports it after the group.
 *
 * @param promptId        the prompt
 * @param groupId         the group that completed ("" when the stats predate the field)
 * @param groups          completed groups of the prompt so far, this one included
 * @param movingAverage   moving average of the prompt's group pass rate after this group
 * @param meanReward      mean reward of the group's usable samples, or null when it had none
 * @param samples         usable samples of the group
 * @param policyVersion   newest policy version that sampled the prompt
 * @param passRate        share of the group's usable samples that were correct (the correctness
 *                        component), or null when the group had none or the stats predate the field
 */
public record GroupOutcome(String promptId, String groupId, long groups, double movingAverage, Double meanReward,
        int samples, long policyVersion, Double passRate) {

    /** An outcome without the correctness share (stats that predate it): the pass rate falls back to the mean reward. */
    public GroupOutcome(String promptId, String groupId, long groups, double movingAverage, Double meanReward,
            int samples, long policyVersion) {
        this(promptId, groupId, groups, movingAverage, meanReward, samples, policyVersion, null);
    }

    /** The outcome a prompt's latest statistics describe. */
    public static GroupOutcome of(PromptStats stats) {
        return new GroupOutcome(stats.getPromptId(), stats.getLastGroupId(), stats.getGroups(),
                stats.getMovingAverage(), stats.getLastGroupMeanReward(), stats.getLastGroupSamples(),
                stats.getLastPolicyVersion(), stats.getLastGroupPassRate());
    }

    /**
     * The group's pass rate: the share of correct samples when known (docs/algorithms.md#prompt-selectors);
     * for stats that predate it, the mean reward clamped to [0, 1] (the share of passes for a 0/1
     * reward); null when the group had no usable sample.
     */
    public Double observedPassRate() {
        if (passRate != null) {
            return passRate;
        }
        return meanReward == null ? null : Math.max(0, Math.min(1, meanReward));
    }
}
