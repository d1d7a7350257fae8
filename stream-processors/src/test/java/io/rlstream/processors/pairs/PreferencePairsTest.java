package io.rlstream.processors.pairs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.processors.pairs.PreferencePairs.Pair;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PreferencePairsTest {

    @Test
    void chosenIsTheHighestRewardAndRejectedTheLowest() {
        // max 0.9 at index 2, min 0.1 at index 3
        assertEquals(Optional.of(new Pair(2, 3)), PreferencePairs.select(new double[] {0.5, 0.4, 0.9, 0.1}));
    }

    @Test
    void tiesGoToTheLowestIndex() {
        // 0/1 rewards of a verifier: max 1 at 1 and 3 -> 1; min 0 at 0 and 2 -> 0
        assertEquals(Optional.of(new Pair(1, 0)), PreferencePairs.select(new double[] {0, 1, 0, 1}));
        assertEquals(Optional.of(new Pair(3, 0)), PreferencePairs.select(new double[] {0, 0, 0, 1}));
    }

    @Test
    void twoSamplesMakeOnePair() {
        assertEquals(Optional.of(new Pair(0, 1)), PreferencePairs.select(new double[] {1, -1}));
    }

    @Test
    void allEqualRewardsGiveNoPair() {
        // max == min: no preference to learn (docs/algorithms.md#preference-losses: skip ties)
        assertEquals(Optional.empty(), PreferencePairs.select(new double[] {1, 1, 1, 1}));
        assertEquals(Optional.empty(), PreferencePairs.select(new double[] {0, 0}));
    }

    @Test
    void fewerThanTwoSamplesGiveNoPair() {
        assertEquals(Optional.empty(), PreferencePairs.select(new double[] {1}));
        assertEquals(Optional.empty(), PreferencePairs.select(new double[0]));
    }

    @Test
    void infiniteRewardsRankAndNaNIsRefused() {
        assertEquals(Optional.of(new Pair(1, 2)),
                PreferencePairs.select(new double[] {0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PreferencePairs.select(new double[] {0, Double.NaN, 1}));
        assertTrue(e.getMessage().contains("reward 1 is NaN"), e.getMessage());
    }

    @Test
    void aPairHasTwoDistinctSamples() {
        assertThrows(IllegalArgumentException.class, () -> new Pair(1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Pair(-1, 0));
    }
}
