package io.rlstream.processors.advantage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** drgrpo: A_i = r_i − mean_g, no division by the std (arXiv 2503.20783). */
class DrGrpoTest {

    private static final float TOL = 1e-6f;
    private final DrGrpo drGrpo = new DrGrpo();

    @Test
    void subtractsTheGroupMeanAndDoesNotScale() {
        // mean = 1/4 = 0.25; A = 1 - 0.25, 0 - 0.25, ... (GRPO would divide by std 0.5 and give 1.5, -0.5)
        assertArrayEquals(new float[] {0.75f, -0.25f, -0.25f, -0.25f}, drGrpo.advantages(GroupRewards.of(1, 0, 0, 0)), TOL);
        // mean = (2 + 4 + 9) / 3 = 5; A = -3, -1, 4
        assertArrayEquals(new float[] {-3f, -1f, 4f}, drGrpo.advantages(GroupRewards.of(2, 4, 9)), TOL);
    }

    @Test
    void lengthsDoNotMatter() {
        // mean of (1, 0) = 0.5 whatever the lengths
        GroupRewards group = new GroupRewards(new double[] {1, 0}, new int[] {10, 1000});
        assertArrayEquals(new float[] {0.5f, -0.5f}, drGrpo.advantages(group), TOL);
    }

    @Test
    void equalRewardsGiveExactlyZero() {
        // 0.1 * 3 / 3 is not exactly 0.1 in binary; the estimator must not leak ±1e-17
        assertArrayEquals(new float[] {0f, 0f, 0f}, drGrpo.advantages(GroupRewards.of(0.1, 0.1, 0.1)), 0f);
    }

    @Test
    void singleSampleKeepsItsRewardAsInVerl() {
        // G = 1: no baseline (mean 0), A = r
        assertArrayEquals(new float[] {0.7f}, drGrpo.advantages(GroupRewards.of(0.7)), TOL);
    }

    @Test
    void emptyGroupGivesNoAdvantages() {
        assertEquals(0, drGrpo.advantages(GroupRewards.of()).length);
    }

    @Test
    void isGroupOnly() {
        assertFalse(drGrpo.hasBatchStage());
    }
}
