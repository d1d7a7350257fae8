package io.rlstream.processors.curriculum;

import io.rlstream.events.Prompt;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * The baseline: every prompt of the pool equally likely, whatever is known of it or whether it is
 * in flight. It still keeps the pass-rate estimates, so the selection state shows what the groups
 * said.
 */
public final class UniformSelector implements PromptSelector {

    public static final String NAME = "uniform";

    private final PassRateEstimates estimates = new PassRateEstimates();
    private long chosen;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Choice> choose(int m, PromptPool pool, Predicate<String> inFlight, Random random) {
        chosen += m;
        return PromptSelector.picks(m, () -> pool.sample(random), this);
    }

    @Override
    public void observe(GroupOutcome outcome, Prompt prompt) {
        estimates.observe(outcome);
    }

    @Override
    public PromptView view(String promptId, String text) {
        return estimates.view(promptId, estimates.seen(promptId) ? "seen" : "unseen");
    }

    @Override
    public Map<String, Double> metrics() {
        return Map.of("chosen", (double) chosen, "seen_prompts", (double) estimates.seenCount());
    }
}
