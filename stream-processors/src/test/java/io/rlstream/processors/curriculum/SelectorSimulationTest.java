package io.rlstream.processors.curriculum;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.Prompt;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every selector against uniform on a simulated policy whose pass rate on {@code a+b=} (a, b in
 * 10..99, the demo's 8,100 prompts) is known: 0.97 without a carry, 0.5 with a carry out of the
 * units only, 0.4 with a carry out of the tens only (a three-digit sum), 0.03 with both. A group
 * of G = 8 has non-equal rewards with probability 1 − p⁸ − (1 − p)⁸: 0.22, 0.99, 0.98 and 0.22
 * for those classes, so uniform choice gets an effective ratio near the classes' average (about
 * 0.57 here) and a selector that finds the intermediate prompts gets close to 0.99. Same seed and
 * budget for each: groups dispatched 16 at a time, each group's outcome fed back before the next
 * round, as the dispatcher sees rl.prompt-stats; the ratio is measured after the first 800.
 */
class SelectorSimulationTest {

    static final int G = 8;
    /** 2,400 groups: fewer than the 8,100 prompts, a single pass as in the demo's budget. */
    static final int ROUNDS = 150;
    /** 16,000 groups: each prompt about twice. */
    static final int LONG_ROUNDS = 1000;
    static final int PER_ROUND = 16;
    static final int WARMUP_ROUNDS = 50;

    static double passRate(int a, int b) {
        return passRate(a, b, false);
    }

    /**
     * After {@code learnt}, the policy has mastered the units carry: 0.97 without a tens carry,
     * 0.4 with one; what was intermediate is now easy and what was hard is intermediate.
     */
    static double passRate(int a, int b, boolean learnt) {
        boolean units = a % 10 + b % 10 >= 10;
        boolean hundreds = a + b >= 100;
        if (learnt) {
            return hundreds ? 0.4 : 0.97;
        }
        if (units && hundreds) {
            return 0.03;
        }
        return units ? 0.5 : hundreds ? 0.4 : 0.97;
    }

    /**
     * @param valueMae       pcl: mean |V(x) − p(x)| over all 8,100 prompts at the end, against the truth
     * @param constantMae    the same for the best constant predictor (the median of p)
     */
    record Run(double effectiveRatio, double valueMae, double constantMae) {
    }

    static Run simulate(PromptSelector selector, long seed) {
        return simulate(selector, seed, ROUNDS);
    }

    static Run simulate(PromptSelector selector, long seed, int rounds) {
        return simulate(selector, seed, rounds, Integer.MAX_VALUE);
    }

    /**
     * @param learntAt the round from which the policy has learnt the units carry (see passRate); the
     *                 ratio is then counted from 10 rounds after it
     */
    static Run simulate(PromptSelector selector, long seed, int rounds, int learntAt) {
        PromptPool pool = new PromptPool();
        Map<String, Double> truth = new HashMap<>();
        for (int a = 10; a <= 99; a++) {
            for (int b = 10; b <= 99; b++) {
                String id = a + "+" + b;
                pool.put(Prompt.newBuilder().setPromptId(id).setText(id + "=").setCreatedAt(Instant.EPOCH).build());
                truth.put(id, passRate(a, b));
            }
        }
        Random choices = new Random(seed);
        Random outcomes = new Random(seed + 1);
        Map<String, double[]> stats = new HashMap<>(); // prompt -> {groups, moving average}
        long counted = 0;
        long mixed = 0;
        long groupId = 0;
        for (int round = 0; round < rounds; round++) {
            if (round == learntAt) {
                truth.replaceAll((id, p) -> passRate(Integer.parseInt(id.substring(0, 2)),
                        Integer.parseInt(id.substring(3, 5)), true));
            }
            for (Choice c : selector.choose(PER_ROUND, pool, Prompts.NONE_IN_FLIGHT, choices)) {
                String id = c.prompt().getPromptId();
                String group = "g" + groupId++;
                selector.dispatched(group, c);
                int passes = 0;
                for (int i = 0; i < G; i++) {
                    passes += outcomes.nextDouble() < truth.get(id) ? 1 : 0;
                }
                double rate = (double) passes / G;
                // prompt-stats' moving average, weight 0.1, the first group setting it
                double[] s = stats.computeIfAbsent(id, k -> new double[] {0, rate});
                s[1] = s[0] == 0 ? rate : 0.9 * s[1] + 0.1 * rate;
                s[0]++;
                selector.observe(new GroupOutcome(id, group, (long) s[0], s[1], rate, G, round), c.prompt());
                if (round >= (learntAt == Integer.MAX_VALUE ? WARMUP_ROUNDS : learntAt + WARMUP_ROUNDS / 5)) {
                    counted++;
                    mixed += passes > 0 && passes < G ? 1 : 0;
                }
            }
        }
        double mae = Double.NaN;
        double constant = Double.NaN;
        if (selector instanceof PclSelector) {
            double[] p = truth.values().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double median = p[p.length / 2];
            mae = 0;
            constant = 0;
            for (Map.Entry<String, Double> e : truth.entrySet()) {
                mae += Math.abs(selector.view(e.getKey(), e.getKey() + "=").prediction() - e.getValue());
                constant += Math.abs(median - e.getValue());
            }
            mae /= truth.size();
            constant /= truth.size();
        }
        return new Run((double) mixed / counted, mae, constant);
    }

    /**
     * PCL with k = 8 candidates per pick. The default, 2, is milder, for the demo's policy, whose
     * difficulty the n-gram value model predicts poorly (README, curriculum); here, where it can be
     * learnt, the rule shows what it does with more choice (k = 2 measured 0.72 in a single pass).
     */
    static PromptSelector strictPcl(SelectorOptions o) {
        return new PclSelector(new HashedNgramValueModel(o.valueModel()), 8, o.pclTau());
    }

    @Test
    void pclSpendsMoreOfASinglePassOnGroupsThatTeachThanUniform() {
        // In a single pass the window has nothing to go on (every prompt it meets is unseen): it is
        // uniform without replacement (measured 0.58). PCL predicts the prompts it never generated.
        SelectorOptions o = SelectorOptions.defaults();
        Run uniform = simulate(new UniformSelector(), 3);
        Run window = simulate(PromptSelectors.FAMILY.create(PassRateWindowSelector.NAME, o), 3);
        Run pcl = simulate(strictPcl(o), 3);
        String report = String.format("2,400 groups: effective ratio uniform %.3f, pass-rate-window %.3f, pcl %.3f; "
                + "pcl's V(x) vs the true pass rate on all prompts: error %.3f, best constant's %.3f",
                uniform.effectiveRatio(), window.effectiveRatio(), pcl.effectiveRatio(), pcl.valueMae(), pcl.constantMae());
        System.out.println(report);
        // uniform's expected ratio: the class-weighted average of 1 - p^8 - (1-p)^8
        assertTrue(uniform.effectiveRatio() > 0.5 && uniform.effectiveRatio() < 0.65, report);
        assertTrue(Math.abs(window.effectiveRatio() - uniform.effectiveRatio()) < 0.05, report);
        assertTrue(pcl.effectiveRatio() > uniform.effectiveRatio() + 0.15, report);
        // V learnt the difficulty of prompts it never generated: it predicts all 8,100, having seen < 2,400
        assertTrue(pcl.valueMae() < 0.75 * pcl.constantMae(), report);
    }

    @Test
    void pclFollowsAPolicyThatLearns() {
        // 150 rounds on the first policy, then 150 on one that mastered the units carry: the formerly
        // intermediate prompts are now easy; a value model that cannot unlearn keeps dispatching them.
        SelectorOptions o = SelectorOptions.defaults();
        Run uniform = simulate(new UniformSelector(), 7, 300, 150);
        Run pcl = simulate(strictPcl(o), 7, 300, 150);
        String report = String.format("policy change at 2,400 groups: effective ratio uniform %.3f, pcl %.3f; "
                + "V(x) vs the new pass rates: error %.3f, best constant's %.3f", uniform.effectiveRatio(),
                pcl.effectiveRatio(), pcl.valueMae(), pcl.constantMae());
        System.out.println(report);
        assertTrue(pcl.effectiveRatio() > uniform.effectiveRatio() + 0.15, report);
        // measured 0.17 against 0.23: V has moved to the new policy, most of the way
        assertTrue(pcl.valueMae() < 0.8 * pcl.constantMae(), report);
    }

    @Test
    void theWindowAndTheDifficultyPoolsPayOffOnceThePromptsAreRevisited() {
        // In a single pass nearly every pick of the normal pool is an unseen prompt, so pools are about
        // uniform (measured 0.53 vs 0.59 at 2,400 groups, the hard pool's 16% costing more than the easy
        // pool saves); over two passes the learnt prompts sit in the easy pool at weight 0.05.
        SelectorOptions o = SelectorOptions.defaults();
        Run uniform = simulate(new UniformSelector(), 5, LONG_ROUNDS);
        Run pools = simulate(PromptSelectors.FAMILY.create(DifficultyPoolsSelector.NAME, o), 5, LONG_ROUNDS);
        Run window = simulate(PromptSelectors.FAMILY.create(PassRateWindowSelector.NAME, o), 5, LONG_ROUNDS);
        String report = String.format("16,000 groups: effective ratio uniform %.3f, difficulty-pools %.3f, "
                + "pass-rate-window %.3f", uniform.effectiveRatio(), pools.effectiveRatio(), window.effectiveRatio());
        System.out.println(report);
        assertTrue(pools.effectiveRatio() > uniform.effectiveRatio() + 0.05, report);
        // the first pass is uniform; from the second on, the prompts whose last group was all right or
        // all wrong are skipped (but for the explore share): measured 0.67 over both passes
        assertTrue(window.effectiveRatio() > uniform.effectiveRatio() + 0.08, report);
    }
}
