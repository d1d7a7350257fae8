package io.rlstream.processors.filtration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PolicyFiltrationsTest {

    // best: 0.9 at indices 1 and 3 -> index 1 (lowest); worst: 0.1 at index 4
    private static final double[] REWARDS = {0.2, 0.9, 0.5, 0.9, 0.1};

    private static int[] select(String name, double[] rewards) {
        // the deterministic strategies must not draw: a draw would fail the test
        return PolicyFiltrations.FAMILY.create(name, null).select(rewards, ScriptedRandom.noDraws());
    }

    @Test
    void noneKeepsEverySample() {
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, select("none", REWARDS));
    }

    @Test
    void bestOfNKeepsTheHighestRewardLowestIndexOnTies() {
        assertArrayEquals(new int[] {1}, select("best-of-n", REWARDS));
        assertArrayEquals(new int[] {2}, select("best-of-n", new double[] {0, 0, 1}));
    }

    @Test
    void bestWorstKeepsTheHighestAndTheLowestInAscendingOrder() {
        assertArrayEquals(new int[] {1, 4}, select("best-worst", REWARDS));
        // best is the last sample, worst the first: still ascending
        assertArrayEquals(new int[] {0, 2}, select("best-worst", new double[] {-1, 0, 1}));
        // worst tied at indices 1 and 2 -> index 1
        assertArrayEquals(new int[] {0, 1}, select("best-worst", new double[] {1, 0, 0}));
    }

    @Test
    void equalRewardsStillGiveTwoDistinctSamplesToBestWorst() {
        // best = lowest index of the maximum = 0; worst = lowest index of the minimum that is not 0 = 1
        assertArrayEquals(new int[] {0, 1}, select("best-worst", new double[] {0.5, 0.5, 0.5}));
        assertArrayEquals(new int[] {0}, select("best-of-n", new double[] {0.5, 0.5, 0.5}));
    }

    @Test
    void bestRandomKeepsTheBestAndTheScriptedOther() {
        // G = 5, best = 1: one nextInt(4) picks among the others {0, 2, 3, 4}:
        // draw 0 -> 0; draw 1 -> 2 (indices at or above the best shift by one); draw 3 -> 4
        PolicyFiltration br = PolicyFiltrations.FAMILY.create("best-random", null);
        ScriptedRandom rng = ScriptedRandom.intsOf(4, 0, 1, 3);
        assertArrayEquals(new int[] {0, 1}, br.select(REWARDS, rng));
        assertArrayEquals(new int[] {1, 2}, br.select(REWARDS, rng));
        assertArrayEquals(new int[] {1, 4}, br.select(REWARDS, rng));
        assertTrue(rng.exhausted(), "one draw per group");
    }

    @Test
    void bestRandomMayKeepASampleThatTiesTheBest() {
        // the other is uniform over indices: index 3 ties the best's 0.9 and can be drawn (draw 2 -> 3)
        assertArrayEquals(new int[] {1, 3}, PolicyFiltrations.FAMILY.create("best-random", null).select(REWARDS, ScriptedRandom.intsOf(4, 2)));
    }

    @Test
    void bestRandomDrawsTheOtherUniformly() {
        // 40 000 groups, 4 others each: expect 10 000 per other, binomial sd = sqrt(40000 * 1/4 * 3/4) = 87;
        // ±500 is more than 5 sd. The best (index 1) is kept every time and never drawn as the other.
        PolicyFiltration br = PolicyFiltrations.FAMILY.create("best-random", null);
        SplittableRandom rng = new SplittableRandom(11);
        int[] counts = new int[REWARDS.length];
        for (int k = 0; k < 40_000; k++) {
            int[] kept = br.select(REWARDS, rng);
            assertEquals(2, kept.length);
            assertTrue(kept[0] == 1 || kept[1] == 1);
            counts[kept[0] == 1 ? kept[1] : kept[0]]++;
        }
        assertEquals(0, counts[1]);
        for (int i : new int[] {0, 2, 3, 4}) {
            assertEquals(10_000, counts[i], 500, "index " + i);
        }
    }

    @Test
    void groupsOfOneKeepTheirSampleAndEmptyGroupsKeepNothing() {
        for (String name : PolicyFiltrations.FAMILY.names()) {
            // best-random must not draw either: there is no other to draw
            assertArrayEquals(new int[] {0}, select(name, new double[] {0.3}), name);
            assertArrayEquals(new int[0], select(name, new double[0]), name);
        }
    }

    @Test
    void twoSamplesAreKeptWholeByEveryStrategyButBestOfN() {
        // G = 2: the only other is the worst, so best-random = best-worst = none
        double[] two = {0, 1};
        assertArrayEquals(new int[] {0, 1}, select("none", two));
        assertArrayEquals(new int[] {1}, select("best-of-n", two));
        assertArrayEquals(new int[] {0, 1}, select("best-worst", two));
        assertArrayEquals(new int[] {0, 1}, PolicyFiltrations.FAMILY.create("best-random", null).select(two, ScriptedRandom.intsOf(1, 0)));
    }

    @Test
    void infiniteRewardsRankAndNaNIsRefused() {
        assertArrayEquals(new int[] {1, 2}, select("best-worst", new double[] {0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}));
        for (String name : PolicyFiltrations.FAMILY.names()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> select(name, new double[] {1, Double.NaN}), name);
            assertTrue(e.getMessage().contains("reward 1 is NaN"), e.getMessage());
        }
    }

    @Test
    void registryListsTheStrategiesInAFixedOrder() {
        assertEquals(List.of("none", "best-of-n", "best-random", "best-worst"), List.copyOf(PolicyFiltrations.FAMILY.names()));
        assertInstanceOf(KeepAll.class, PolicyFiltrations.FAMILY.create("none", null));
        assertInstanceOf(BestOfN.class, PolicyFiltrations.FAMILY.create("best-of-n", null));
        assertInstanceOf(BestRandom.class, PolicyFiltrations.FAMILY.create("best-random", null));
        assertInstanceOf(BestWorst.class, PolicyFiltrations.FAMILY.create("best-worst", null));
        assertThrows(UnsupportedOperationException.class, () -> PolicyFiltrations.FAMILY.names().add("x"));
    }

    @Test
    void unknownNameListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PolicyFiltrations.FAMILY.create("bon", null));
        assertTrue(e.getMessage().contains("'bon'"), e.getMessage());
        assertTrue(e.getMessage().contains("none, best-of-n, best-random, best-worst"), e.getMessage());
    }

    @Test
    void selectionDoesNotChangeTheRewards() {
        double[] rewards = REWARDS.clone();
        for (String name : PolicyFiltrations.FAMILY.names()) {
            PolicyFiltrations.FAMILY.create(name, null).select(rewards, new SplittableRandom(1));
        }
        assertArrayEquals(REWARDS, rewards);
    }
}
