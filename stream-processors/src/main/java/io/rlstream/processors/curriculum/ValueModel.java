package io.rlstream.processors.curriculum;

/**
 * PCL's value model V(x) (docs/algorithms.md#prompt-selectors; Prompt Curriculum Learning, arXiv 2510.01135): the
 * expected reward p(x) = E_{y~π}[r(x, y)] of a prompt for the current policy, predicted from the
 * prompt alone, without generating. The dispatcher scores k·m candidates with it each step,
 * dispatches the m with the smallest |V(x) − τ| (τ = 0.5), and trains it online on every
 * completed group with the group's mean reward as the target. Rewards are in [0, 1].
 *
 * <p>Not thread-safe: the dispatcher calls it from its one thread.
 */
public interface ValueModel {
    /** Predicted expected reward of a prompt for the current policy, in [0, 1]. */
    double predict(String promptText);

    /** One online step towards {@code target} (a group's mean reward; clamped to [0, 1]), learned from samples of {@code policyVersion}. */
    void update(String promptText, double target, long policyVersion);

    /** Online updates so far. */
    long updates();

    /** The model's version: the newest policy version among the groups it learned from; -1 before any. */
    long policyVersion();
}
