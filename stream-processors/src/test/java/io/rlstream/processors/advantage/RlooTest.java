package io.rlstream.processors.advantage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** rloo: A_i = r_i − (Σ_{j≠i} r_j)/(G − 1) = G/(G − 1)·(r_i − mean_g) (arXiv 2402.14740). */
class RlooTest {

    private static final float TOL = 1e-6f;
    private final Rloo rloo = new Rloo();

    @Test
    void oneCorrectOfFour() {
        // A_0 = 1 - (0 + 0 + 0)/3 = 1;  A_j = 0 - (1 + 0 + 0)/3 = -1/3
        // check: G/(G-1) * (r - mean) = 4/3 * 0.75 = 1 and 4/3 * -0.25 = -1/3
        assertArrayEquals(new float[] {1f, -1f / 3, -1f / 3, -1f / 3}, rloo.advantages(GroupRewards.of(1, 0, 0, 0)), TOL);
    }

    @Test
    void leaveOneOutMeanOfUnevenRewards() {
        // sum = 15; A_0 = 2 - 13/2 = -4.5; A_1 = 4 - 11/2 = -1.5; A_2 = 9 - 6/2 = 6
        // check: 3/2 * (r - 5) = -4.5, -1.5, 6
        assertArrayEquals(new float[] {-4.5f, -1.5f, 6f}, rloo.advantages(GroupRewards.of(2, 4, 9)), TOL);
    }

    @Test
    void pairComparesEachToTheOther() {
        // G = 2: A_0 = 1 - 0 = 1, A_1 = 0 - 1 = -1 (twice the GRPO-mean difference 0.5)
        assertArrayEquals(new float[] {1f, -1f}, rloo.advantages(GroupRewards.of(1, 0)), TOL);
    }

    @Test
    void equalRewardsGiveExactlyZero() {
        assertArrayEquals(new float[] {0f, 0f, 0f}, rloo.advantages(GroupRewards.of(0.1, 0.1, 0.1)), 0f);
    }

    @Test
    void singleSampleKeepsItsRewardAsInVerl() {
        // G = 1: the leave-one-out mean of no samples is undefined; verl's
        // compute_rloo_outcome_advantage leaves the score unchanged: A = r
        assertArrayEquals(new float[] {0.7f}, rloo.advantages(GroupRewards.of(0.7)), TOL);
        assertArrayEquals(new float[] {0f}, rloo.advantages(GroupRewards.of(0)), TOL);
    }

    @Test
    void emptyGroupGivesNoAdvantages() {
        assertEquals(0, rloo.advantages(GroupRewards.of()).length);
    }

    @Test
    void isGroupOnly() {
        assertFalse(rloo.hasBatchStage());
    }
}
