package io.rlstream.processors.curriculum;

import io.rlstream.events.Prompt;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Pass-rate window (ALGORITHMS.md §3; AReaL filters prompts to 0.05..0.95): dispatch prompts whose
 * estimated pass rate p lies in [lo, hi], so that their groups are likely to hold both passes and
 * failures, and spend a share {@code explore} of the choices on unseen prompts, whose p nobody
 * knows yet. Rule per pick: with probability {@code explore}, or when no seen prompt is in the
 * window, an unseen prompt uniformly; otherwise a prompt of the window uniformly; when neither
 * exists (every prompt seen, none in the window), any prompt uniformly, counted as a fallback.
 *
 * <p>p is the moving average of the prompt's group pass rate on rl.prompt-stats, so a prompt
 * leaves the window once the policy has learnt it, and one that fell out stays out until it is
 * sampled again through a fallback: per-prompt estimates say nothing of prompts never generated,
 * which is what {@link PclSelector}'s value model adds.
 */
public final class PassRateWindowSelector implements PromptSelector {

    public static final String NAME = "pass-rate-window";
    /** Draws from the pool before giving up on finding an unseen prompt. */
    static final int UNSEEN_TRIES = 64;

    private final double lo;
    private final double hi;
    private final double explore;
    private final PassRateEstimates estimates = new PassRateEstimates();
    private final RandomAccessSet inWindow = new RandomAccessSet();
    private long chosenUnseen;
    private long chosenInWindow;
    private long chosenFallback;

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
    public List<Choice> choose(int m, PromptPool pool, Random random) {
        List<Choice> out = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            Prompt p = pick(pool, random);
            out.add(new Choice(p, view(p.getPromptId(), p.getText())));
        }
        return out;
    }

    private Prompt pick(PromptPool pool, Random random) {
        boolean exploring = random.nextDouble() < explore;
        if (!exploring) {
            Prompt p = drawInWindow(pool, random);
            if (p != null) {
                chosenInWindow++;
                return p;
            }
        }
        Prompt unseen = pool.sampleWhere(random, q -> !estimates.seen(q.getPromptId()), UNSEEN_TRIES);
        if (unseen != null) {
            chosenUnseen++;
            return unseen;
        }
        Prompt p = exploring ? drawInWindow(pool, random) : null;
        if (p != null) {
            chosenInWindow++;
            return p;
        }
        chosenFallback++;
        return pool.sample(random);
    }

    /** A prompt of the window still in the pool, or null; prompts gone from the pool leave the window. */
    private Prompt drawInWindow(PromptPool pool, Random random) {
        while (!inWindow.isEmpty()) {
            String id = inWindow.draw(random);
            Prompt p = pool.get(id);
            if (p != null) {
                return p;
            }
            inWindow.remove(id);
        }
        return null;
    }

    @Override
    public void observe(GroupOutcome outcome, Prompt prompt) {
        double p = estimates.observe(outcome).passRate();
        if (p >= lo && p <= hi) {
            inWindow.add(outcome.promptId());
        } else {
            inWindow.remove(outcome.promptId());
        }
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
                "chosen_fallback", (double) chosenFallback, "in_window", (double) inWindow.size(),
                "seen_prompts", (double) estimates.seenCount());
    }
}
