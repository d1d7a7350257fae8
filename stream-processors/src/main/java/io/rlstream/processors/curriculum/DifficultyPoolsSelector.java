package io.rlstream.processors.curriculum;

import io.rlstream.events.Prompt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Difficulty pools (docs/algorithms.md#prompt-selectors, after prime-rl's buffer): each seen prompt sits in the pool
 * its estimated pass rate falls in (by default hard p ≤ 0.25, normal p ≤ 0.75, easy above); each
 * pick chooses a non-empty pool with probability proportional to its weight, then a prompt of that
 * pool uniformly. Unseen prompts count as p = 0.5, as prime-rl files problems of unknown
 * difficulty as normal, so they share that pool's draws in proportion to their number. Within a
 * pool, prompts with a group in flight are passed over while others are there.
 */
public final class DifficultyPoolsSelector implements PromptSelector {

    public static final String NAME = "difficulty-pools";
    /** Pass rate assumed for a prompt never generated. */
    static final double UNSEEN_PASS_RATE = 0.5;

    private final List<DifficultyPool> pools;
    private final int unseenPool;
    private final List<RandomAccessSet> members = new ArrayList<>();
    private final Map<String, Integer> poolOf = new HashMap<>();
    private final PassRateEstimates estimates = new PassRateEstimates();
    private final long[] chosen;

    public DifficultyPoolsSelector(List<DifficultyPool> pools) {
        if (pools.isEmpty()) {
            throw new IllegalArgumentException("difficulty pools must not be empty");
        }
        this.pools = List.copyOf(pools);
        this.unseenPool = DifficultyPool.indexOf(this.pools, UNSEEN_PASS_RATE);
        this.pools.forEach(p -> members.add(new RandomAccessSet()));
        this.chosen = new long[pools.size()];
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
        long unseen = Math.max(0, pool.size() - estimates.seenCount());
        double[] weights = new double[pools.size()];
        double total = 0;
        for (int i = 0; i < pools.size(); i++) {
            long size = members.get(i).size() + (i == unseenPool ? unseen : 0);
            weights[i] = size > 0 ? pools.get(i).weight() : 0;
            total += weights[i];
        }
        if (total <= 0) {
            return pool.sample(random); // only zero-weight pools hold prompts
        }
        double u = random.nextDouble() * total;
        int chosenPool = pools.size() - 1;
        for (int i = 0; i < pools.size(); i++) {
            u -= weights[i];
            if (u < 0) {
                chosenPool = i;
                break;
            }
        }
        chosen[chosenPool]++;
        RandomAccessSet set = members.get(chosenPool);
        if (chosenPool == unseenPool && random.nextDouble() * (set.size() + unseen) < unseen) {
            Prompt p = pool.sampleWhere(random, q -> !estimates.seen(q.getPromptId()) && !inFlight.test(q.getPromptId()),
                    PassRateWindowSelector.UNSEEN_TRIES);
            if (p != null) {
                return p;
            }
        }
        Prompt busy = null;
        for (int tries = 0; tries < PassRateWindowSelector.UNSEEN_TRIES && !set.isEmpty(); tries++) {
            String id = set.draw(random);
            Prompt p = pool.get(id);
            if (p == null) {
                set.remove(id);
                poolOf.remove(id);
            } else if (!inFlight.test(id)) {
                return p;
            } else {
                busy = p;
            }
        }
        return busy != null ? busy : pool.sample(random);
    }

    @Override
    public void observe(GroupOutcome outcome, Prompt prompt) {
        int now = DifficultyPool.indexOf(pools, estimates.observe(outcome).passRate());
        Integer before = poolOf.put(outcome.promptId(), now);
        if (before != null && before != now) {
            members.get(before).remove(outcome.promptId());
        }
        members.get(now).add(outcome.promptId());
    }

    @Override
    public PromptView view(String promptId, String text) {
        Integer at = poolOf.get(promptId);
        return estimates.view(promptId, pools.get(at == null ? unseenPool : at).name() + (at == null ? " (unseen)" : ""));
    }

    @Override
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < pools.size(); i++) {
            m.put("chosen." + pools.get(i).name(), (double) chosen[i]);
            m.put("pool_size." + pools.get(i).name(), (double) members.get(i).size());
        }
        m.put("seen_prompts", (double) estimates.seenCount());
        return m;
    }
}
