package io.rlstream.processors.curriculum;

import io.rlstream.events.Prompt;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Prompt Curriculum Learning (PCL, arXiv 2510.01135; docs/algorithms.md#prompt-selectors): a value model V(x)
 * predicts each prompt's expected reward under the current policy without generating; each pick
 * of m prompts scores the next k·m candidates of a shuffled pass over the pool ({@link EpochOrder},
 * as the paper draws them from its data loader, so no prompt is a candidate twice in a pass) and
 * dispatches the m with the
 * smallest |V(x) − τ|, τ = 0.5 by default (prompts with a group in flight are not candidates: V
 * has not learnt from it yet), the difficulty at which a group's rewards vary most
 * (a binary reward's variance p(1 − p) peaks there). V trains online on every completed group,
 * target the group's pass rate p̂ = share of correct samples (loss (V(x) − p̂)²; the paper's
 * p(x) = E[r] for its 0/1 reward, which with ±1 rewards or format and overlong components is no
 * longer a pass rate, issue 15), so it follows the policy as it learns; its version is the newest
 * policy version it learned from.
 *
 * <p>Each dispatched group's prediction is kept until the group completes and is then graded
 * against the group's pass rate ({@link PredictionError}); groups that never complete are
 * forgotten after {@value #MAX_PENDING} newer ones.
 */
public final class PclSelector implements PromptSelector {

    public static final String NAME = "pcl";
    static final int MAX_PENDING = 100_000;

    private final ValueModel model;
    private final int candidatesPerPick;
    private final double tau;
    private final PassRateEstimates estimates = new PassRateEstimates();
    private final EpochOrder order = new EpochOrder();
    private final PredictionError error = new PredictionError();
    private final Map<String, Double> lastError = new HashMap<>();
    private final Map<String, double[]> pending = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, double[]> eldest) {
            return size() > MAX_PENDING;
        }
    };
    private double rewardSum;
    private long rewardCount;
    private long chosen;
    private double chosenPredictionSum;

    /**
     * @param candidatesPerPick k: candidates scored per prompt dispatched
     * @param tau               target expected reward
     */
    public PclSelector(ValueModel model, int candidatesPerPick, double tau) {
        if (candidatesPerPick < 1) {
            throw new IllegalArgumentException("PCL needs at least one candidate per pick, got " + candidatesPerPick);
        }
        if (!(tau >= 0 && tau <= 1)) {
            throw new IllegalArgumentException("PCL's target tau must be in [0, 1], got " + tau);
        }
        this.model = model;
        this.candidatesPerPick = candidatesPerPick;
        this.tau = tau;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Choice> choose(int m, PromptPool pool, Predicate<String> inFlight, Random random) {
        record Scored(Prompt prompt, double v, double distance) {
        }
        List<Scored> candidates = new ArrayList<>(m * candidatesPerPick);
        List<Prompt> drawn = new ArrayList<>(m * candidatesPerPick);
        // at most one pass's worth of looks: a pool smaller than k·m gives each of its prompts once
        for (int looked = 0; looked < pool.size() && drawn.size() < m * candidatesPerPick; looked++) {
            String id = order.next(pool, random);
            Prompt p = id == null ? null : pool.get(id);
            if (p != null && !inFlight.test(id)) {
                drawn.add(p);
            }
        }
        if (drawn.isEmpty()) {
            drawn.add(pool.sample(random)); // everything is in flight
        }
        for (Prompt p : drawn) {
            double v = model.predict(p.getText());
            candidates.add(new Scored(p, v, Math.abs(v - tau)));
        }
        // Stable sort: equal distances keep the order they were drawn in, so a seeded run repeats.
        candidates.sort(Comparator.comparingDouble(Scored::distance));
        List<Choice> out = new ArrayList<>(m);
        // A pool smaller than m gives its best prompts again, round robin.
        for (int i = 0; i < m; i++) {
            Scored s = candidates.get(i % candidates.size());
            out.add(new Choice(s.prompt(), withPrediction(s.prompt().getPromptId(), s.v())));
            chosenPredictionSum += s.v();
        }
        chosen += m;
        return out;
    }

    @Override
    public void dispatched(String groupId, Choice choice) {
        if (choice.view().prediction() != null) {
            pending.put(groupId, new double[] {choice.view().prediction(), baseline()});
        }
    }

    @Override
    public void observe(GroupOutcome outcome, Prompt prompt) {
        estimates.observe(outcome);
        // The target is the group's pass rate (share of correct samples), so τ = 0.5 aims at prompts
        // solved half the time whatever the reward scale (issue 15; docs/algorithms.md#prompt-selectors).
        Double passRate = outcome.observedPassRate();
        if (passRate == null) {
            pending.remove(outcome.groupId());
            return;
        }
        double observed = passRate;
        double[] predicted = pending.remove(outcome.groupId());
        if (predicted != null) {
            error.add(predicted[0], predicted[1], observed);
            lastError.put(outcome.promptId(), Math.abs(predicted[0] - observed));
        }
        rewardSum += observed;
        rewardCount++;
        if (prompt != null) {
            model.update(prompt.getText(), observed, outcome.policyVersion());
        }
    }

    /** The running mean pass rate of every group seen: the constant predictor V is graded against. */
    private double baseline() {
        return rewardCount == 0 ? tau : rewardSum / rewardCount;
    }

    @Override
    public PromptView view(String promptId, String text) {
        return withPrediction(promptId, text == null ? null : model.predict(text));
    }

    private PromptView withPrediction(String promptId, Double prediction) {
        PromptView known = estimates.view(promptId, estimates.seen(promptId) ? "seen" : "unseen");
        return new PromptView(known.groups(), known.estimate(), known.lastMeanReward(), prediction,
                lastError.get(promptId), model.updates(), model.policyVersion(), known.pool());
    }

    public PredictionError predictionError() {
        return error;
    }

    @Override
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("chosen", (double) chosen);
        m.put("chosen_prediction_mean", chosen == 0 ? Double.NaN : chosenPredictionSum / chosen);
        m.put("value_updates", (double) model.updates());
        m.put("value_policy_version", (double) model.policyVersion());
        m.put("value_graded_groups", (double) error.count());
        m.put("value_mae", error.mae());
        m.put("value_baseline_mae", error.baselineMae());
        m.put("value_recent_mae", error.recentMae());
        m.put("value_recent_baseline_mae", error.recentBaselineMae());
        m.put("seen_prompts", (double) estimates.seenCount());
        m.put("passes", (double) order.passes());
        return m;
    }
}
