package io.rlstream.processors.curriculum;

import io.rlstream.events.Prompt;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Pass-rate window (docs/algorithms.md#prompt-selectors; AReaL filters prompts to 0.05..0.95): walk the pool in
 * shuffled passes ({@link EpochOrder}) and dispatch a prompt unless what its last group showed
 * puts its estimated pass rate p outside [lo, hi], so that groups are likely to hold both passes
 * and failures. Unseen prompts always go (their p is unknown: this is the exploration of the
 * unseen); a prompt outside the window is skipped for this pass, except that a share
 * {@code explore} of them go anyway, because the policy moves and a prompt it failed may have
 * become learnable (and a learnt one may have been forgotten). Prompts with a group in flight are
 * skipped too. When a whole pass offers nothing, any prompt goes uniformly, counted as a fallback.
 *
 * <p>Why passes and not random draws from the window: re-drawing the in-window prompts at random
 * spends most groups on a few hundred prompts, which a small policy then memorises instead of
 * learning the task (seen on the demo: train reward up, held-out accuracy flat). p is the
 * prompt's latest group's mean reward ({@link PassRateEstimates}).
 */
public final class PassRateWindowSelector implements PromptSelector {

    public static final String NAME = "pass-rate-window";
    /** Draws from the pool before giving up on finding an unseen prompt (difficulty pools). */
    static final int UNSEEN_TRIES = 64;

    private final double lo;
    private final double hi;
    private final double explore;
    private final PassRateEstimates estimates = new PassRateEstimates();
    private final EpochOrder order = new EpochOrder();
    private long chosenUnseen;
    private long chosenInWindow;
    private long chosenOutside;
    private long chosenFallback;
    private long skipped;

    /**
     * @param explore share of the prompts outside the window that are dispatched anyway, to re-check them
     */
    public PassRateWindowSelector(double lo, double hi, double explore) {
        if (!(lo >= 0 && lo <= hi && hi <= 1)) {
            throw new IllegalArgumentException("the pass-rate window needs 0 <= lo <= hi <= 1, got [" + lo + ", " + hi + "]");
        }
        if (!(explore >= 0 && explore <= 1)) {
            throw new IllegalArgumentException("the explore share must be in [0, 1], got " + explore);
        }
        this.lo = lo;
        this.hi = hi;
        this.explore = explore;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Choice> choose(int m, PromptPool pool, Predicate<String> inFlight, Random random) {
        return PromptSelector.picks(m, () -> pick(pool, inFlight, random), this);
    }

    private Prompt pick(PromptPool pool, Predicate<String> inFlight, Random random) {
        // the rest of this pass and one whole pass more: every prompt is looked at at least once
        for (int looked = 0; looked <= 2 * pool.size(); looked++) {
            String id = order.next(pool, random);
            Prompt p = id == null ? null : pool.get(id);
            if (p == null || inFlight.test(id)) {
                continue;
            }
            PassRateEstimates.Estimate e = estimates.get(id);
            if (e == null) {
                chosenUnseen++;
                return p;
            }
            if (e.passRate() >= lo && e.passRate() <= hi) {
                chosenInWindow++;
                return p;
            }
            if (random.nextDouble() < explore) {
                chosenOutside++;
                return p;
            }
            skipped++;
        }
        chosenFallback++;
        return pool.sample(random);
    }

    @Override
    public void observe(GroupOutcome outcome, Prompt prompt) {
        estimates.observe(outcome);
    }

    @Override
    public PromptView view(String promptId, String text) {
        PassRateEstimates.Estimate e = estimates.get(promptId);
        String where = e == null ? "unseen"
                : e.passRate() < lo ? "below-window" : e.passRate() > hi ? "above-window" : "in-window";
        return estimates.view(promptId, where);
    }

    @Override
    public Map<String, Double> metrics() {
        return Map.of("chosen_unseen", (double) chosenUnseen, "chosen_in_window", (double) chosenInWindow,
                "chosen_outside_window", (double) chosenOutside, "chosen_fallback", (double) chosenFallback,
                "skipped", (double) skipped, "passes", (double) order.passes(),
                "seen_prompts", (double) estimates.seenCount());
    }
}
