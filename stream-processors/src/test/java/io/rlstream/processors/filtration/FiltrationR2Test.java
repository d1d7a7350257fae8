package io.rlstream.processors.filtration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.processors.filtration.FiltrationR2.Result;
import io.rlstream.processors.filtration.FiltrationR2.ScoredGroup;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FiltrationR2Test {

    private static final double TOL = 1e-12;

    /**
     * Three groups of three: proxy reward r, true score y. The reward is right about the best and
     * the worst of each group and wrong about a middle one (g2's index 2, g3's index 0), the
     * situation PF-PPO is about. PfPpoR2CommandTest records the same groups as JSONL.
     */
    static final List<ScoredGroup> GROUPS = List.of(
            new ScoredGroup("g1", new double[] {4, 0, 2}, new double[] {4, 0, 1}),
            new ScoredGroup("g2", new double[] {1, 3, 2}, new double[] {1, 3, 3}),
            new ScoredGroup("g3", new double[] {2, 5, 1}, new double[] {3, 4, 1}));

    @Test
    void r2OfAWorkedExample() {
        // x = 0 1 2 3, y = 0 1 1 3: means 1.5 and 1.25
        // dx = -1.5 -0.5 0.5 1.5; dy = -1.25 -0.25 -0.25 1.75
        // Sxx = 5, Syy = 4.75, Sxy = 1.875 + 0.125 - 0.125 + 2.625 = 4.5
        // line: b = 4.5 / 5 = 0.9, a = 1.25 - 0.9 * 1.5 = -0.1; fitted -0.1 0.8 1.7 2.6
        // residuals 0.1 0.2 -0.7 0.4 -> SS_res = 0.01 + 0.04 + 0.49 + 0.16 = 0.70
        // R² = 1 - 0.70 / 4.75 = 0.852631578947...  (= 4.5² / (5 * 4.75) = 20.25 / 23.75)
        assertEquals(1 - 0.70 / 4.75, FiltrationR2.r2(new double[] {0, 1, 2, 3}, new double[] {0, 1, 1, 3}), TOL);
    }

    @Test
    void r2OfExactLinesIsOneWhateverTheSlopeSign() {
        assertEquals(1.0, FiltrationR2.r2(new double[] {1, 2, 3}, new double[] {2, 4, 6}), TOL);
        // R² does not see the sign: an anti-correlated proxy fits as well as a correlated one
        assertEquals(1.0, FiltrationR2.r2(new double[] {1, 2, 3}, new double[] {3, 2, 1}), TOL);
        // two distinct points always lie on a line
        assertEquals(1.0, FiltrationR2.r2(new double[] {0, 1}, new double[] {0, 5}), TOL);
    }

    @Test
    void r2IsUndefinedForFewerThanTwoPointsOrAConstantTrueScore() {
        assertTrue(Double.isNaN(FiltrationR2.r2(new double[0], new double[0])));
        assertTrue(Double.isNaN(FiltrationR2.r2(new double[] {1}, new double[] {1})));
        // SS_tot = 0: every line through y = 1 fits; nothing to explain
        assertTrue(Double.isNaN(FiltrationR2.r2(new double[] {0, 1, 2}, new double[] {1, 1, 1})));
    }

    @Test
    void constantRewardExplainsNothing() {
        // x constant: the least-squares line is flat at ȳ, SS_res = SS_tot, R² = 0
        assertEquals(0.0, FiltrationR2.r2(new double[] {1, 1, 1}, new double[] {0, 1, 2}));
    }

    @Test
    void r2RefusesMismatchedOrNonFiniteInput() {
        assertThrows(IllegalArgumentException.class, () -> FiltrationR2.r2(new double[] {1, 2}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> FiltrationR2.r2(new double[] {1, Double.NaN}, new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class,
                () -> FiltrationR2.r2(new double[] {1, 2}, new double[] {1, Double.POSITIVE_INFINITY}));
    }

    @Test
    void evaluateScoresEachStrategyOnItsPooledSamples() {
        List<Result> results = FiltrationR2.evaluate(GROUPS, 0);
        assertEquals(List.of("none", "best-of-n", "best-random", "best-worst"),
                results.stream().map(Result::strategy).toList());

        // none: all 9 points. x = 4 0 2 1 3 2 2 5 1, y = 4 0 1 1 3 3 3 4 1; Σx = Σy = 20
        // Σx² = 64, Σy² = 62, Σxy = 16+0+2+1+9+6+6+20+1 = 61
        // Sxx = 64 - 400/9 = 176/9, Syy = 62 - 400/9 = 158/9, Sxy = 61 - 400/9 = 149/9
        // R² = 149² / (176 * 158) = 22201 / 27808 = 0.79836...
        assertResult(results.get(0), "none", 3, 9, 22201.0 / 27808);

        // best-of-n: g1 idx 0 (4,4), g2 idx 1 (3,3), g3 idx 1 (5,4); means 4 and 11/3
        // dx = 0 -1 1, dy = 1/3 -2/3 1/3: Sxx = 2, Syy = 2/3, Sxy = 2/3 + 1/3 = 1 -> R² = 1 / (2 * 2/3) = 0.75
        assertResult(results.get(1), "best-of-n", 3, 3, 0.75);

        // best-random, seed 0: SplittableRandom(0).nextInt(2) gives 1, 1, 1 (checked below), so each group
        // keeps its best and the other with the higher index: g1 {0,2}, g2 {1,2}, g3 {1,2}
        // points (4,4) (2,1) | (3,3) (2,3) | (5,4) (1,1): Σx = 17, Σy = 16, Σx² = 59, Σy² = 52, Σxy = 54
        // Sxx = 59 - 289/6 = 65/6, Syy = 52 - 256/6 = 56/6, Sxy = 54 - 272/6 = 52/6
        // R² = 52² / (65 * 56) = 2704 / 3640 = 0.742857...
        SplittableRandom replay = new SplittableRandom(0);
        assertArrayEquals(new int[] {1, 1, 1}, new int[] {replay.nextInt(2), replay.nextInt(2), replay.nextInt(2)});
        assertResult(results.get(2), "best-random", 3, 6, 2704.0 / 3640);

        // best-worst: g1 {0,1}, g2 {0,1}, g3 {1,2}: points (4,4) (0,0) (1,1) (3,3) (5,4) (1,1)
        // Σx = 14, Σy = 13, Σx² = 52, Σy² = 43, Σxy = 47
        // Sxx = 52 - 196/6 = 58/3, Syy = 43 - 169/6 = 89/6, Sxy = 47 - 182/6 = 50/3
        // R² = (50/3)² / (58/3 * 89/6) = 5000 / 5162 = 0.968617...: the highest, the paper's choice here
        assertResult(results.get(3), "best-worst", 3, 6, 5000.0 / 5162);
    }

    @Test
    void bestRandomDependsOnlyOnTheSeed() {
        // SplittableRandom(7) draws 0, 0, 1: the others are g1 idx 1, g2 idx 0, g3 idx 2,
        // which are best-worst's picks, so best-random scores 5000 / 5162 too
        SplittableRandom replay = new SplittableRandom(7);
        assertArrayEquals(new int[] {0, 0, 1}, new int[] {replay.nextInt(2), replay.nextInt(2), replay.nextInt(2)});
        assertEquals(5000.0 / 5162, FiltrationR2.evaluate(GROUPS, 7).get(2).r2(), TOL);
        assertEquals(FiltrationR2.evaluate(GROUPS, 0), FiltrationR2.evaluate(GROUPS, 0));
    }

    @Test
    void groupsCountOnlyWhenTheyContributeASample() {
        // an empty group keeps nothing under any strategy; a group of one keeps its sample under all
        List<ScoredGroup> groups = List.of(
                new ScoredGroup("empty", new double[0], new double[0]),
                new ScoredGroup("one", new double[] {1}, new double[] {1}),
                new ScoredGroup("two", new double[] {0, 2}, new double[] {0, 1}));
        for (Result r : FiltrationR2.evaluate(groups, 0)) {
            assertEquals(2, r.groups(), r.strategy());
        }
        // best-of-n keeps (1,1) and (2,1): y constant -> NaN; none keeps (1,1) (0,0) (2,1)
        List<Result> results = FiltrationR2.evaluate(groups, 0);
        assertTrue(Double.isNaN(results.get(1).r2()));
        assertEquals(3, results.get(0).samples());
    }

    @Test
    void scoredGroupsNeedOneScorePerRewardAndCannotChange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ScoredGroup("g", new double[] {1, 2}, new double[] {1}));
        assertTrue(e.getMessage().contains("2 rewards and 1 scores"), e.getMessage());
        double[] rewards = {1, 2};
        ScoredGroup g = new ScoredGroup("g", rewards, new double[] {1, 2});
        rewards[0] = 9;
        g.rewards()[1] = 9;
        assertArrayEquals(new double[] {1, 2}, g.rewards());
    }

    private static void assertResult(Result r, String strategy, int groups, int samples, double r2) {
        assertEquals(strategy, r.strategy());
        assertEquals(groups, r.groups(), strategy + " groups");
        assertEquals(samples, r.samples(), strategy + " samples");
        assertEquals(r2, r.r2(), TOL, strategy + " R²");
    }
}
