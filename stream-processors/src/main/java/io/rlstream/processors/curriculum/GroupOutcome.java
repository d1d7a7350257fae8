package io.rlstream.processors.curriculum;

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
 */
public record GroupOutcome(String promptId, String groupId, long groups, double movingAverage, Double meanReward,
        int samples, long policyVersion) {
}
