package io.rlstream.processors.curriculum;

import java.util.HashMap;
import java.util.Map;

/**
 * Each seen prompt's latest statistics from rl.prompt-stats: the estimated pass rate, the latest
 * group's mean reward and how many groups completed. A prompt without statistics is unseen. Every
 * selector keeps one, so `rlstream prompts show` tells what is known of a prompt whichever
 * selector runs.
 *
 * <p>The estimate is the latest group's share of correct samples (the correctness component,
 * issue 15: not the mean reward, which ±1 rewards, format bonuses and overlong penalties shift);
 * for stats that predate that field the latest group's mean reward clamped to [0, 1], and the
 * moving average of the group pass rate when they predate that too.
 * Not the moving average: a policy often learns a prompt it trains on within a few steps, and
 * with the moving average's weight 0.1 a prompt that went from 0.5 to always right still reads
 * 0.55 after one group and needs about 20 to leave a 0.95 window (seen on the demo: the window
 * selector kept dispatching prompts whose groups came back all right).
 */
public final class PassRateEstimates {

    /** One prompt's latest statistics. */
    public record Estimate(long groups, double passRate, Double lastMeanReward, long policyVersion) {
    }

    private final Map<String, Estimate> byPrompt = new HashMap<>();

    /** Records a completed group; returns the new estimate. */
    public Estimate observe(GroupOutcome outcome) {
        Double observed = outcome.observedPassRate();
        double p = observed == null ? outcome.movingAverage() : observed;
        Estimate e = new Estimate(outcome.groups(), p, outcome.meanReward(), outcome.policyVersion());
        byPrompt.put(outcome.promptId(), e);
        return e;
    }

    /** The estimate of a prompt, or null while it is unseen. */
    public Estimate get(String promptId) {
        return byPrompt.get(promptId);
    }

    public boolean seen(String promptId) {
        return byPrompt.containsKey(promptId);
    }

    /** Prompts seen so far. */
    public int seenCount() {
        return byPrompt.size();
    }

    /** A view with the estimate's fields filled and the rest unknown. */
    public PromptView view(String promptId, String pool) {
        Estimate e = byPrompt.get(promptId);
        if (e == null) {
            return new PromptView(0, null, null, null, null, 0, -1, pool);
        }
        return new PromptView(e.groups(), e.passRate(), e.lastMeanReward(), null, null, 0, -1, pool);
    }
}
