package io.rlstream.processors.curriculum;

import java.util.HashMap;
import java.util.Map;

/**
 * Each seen prompt's latest statistics from rl.prompt-stats: the estimated pass rate (the
 * moving average of its group pass rate, {@code prompt-stats.ema-weight}), the latest group's mean
 * reward and how many groups completed. A prompt without statistics is unseen. Every selector
 * keeps one, so `rlstream prompts show` tells what is known of a prompt whichever selector runs.
 */
public final class PassRateEstimates {

    /** One prompt's latest statistics. */
    public record Estimate(long groups, double passRate, Double lastMeanReward, long policyVersion) {
    }

    private final Map<String, Estimate> byPrompt = new HashMap<>();

    /** Records a completed group; returns the new estimate. */
    public Estimate observe(GroupOutcome outcome) {
        Estimate e = new Estimate(outcome.groups(), outcome.movingAverage(), outcome.meanReward(), outcome.policyVersion());
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
