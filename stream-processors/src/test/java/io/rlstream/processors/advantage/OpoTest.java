package io.rlstream.processors.advantage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/** opo: A_i = r_i − Σ_j |o_j| r_j / Σ_j |o_j| (arXiv 2505.23585). */
class OpoTest {

    private static final float TOL = 1e-6f;
    private final Opo opo = new Opo();

    private static GroupRewards group(double[] rewards, int... lengths) {
        return new GroupRewards(rewards, lengths);
    }

    @Test
    void longResponsesWeighMoreInTheBaseline() {
        // b = (10*1 + 30*0) / (10 + 30) = 0.25 (the plain mean would be 0.5); A = 0.75, -0.25
        assertArrayEquals(new float[] {0.75f, -0.25f}, opo.advantages(group(new double[] {1, 0}, 10, 30)), TOL);
        // b = (100*1 + 300*0 + 50*0 + 50*1) / 500 = 150/500 = 0.3; A = 0.7, -0.3, -0.3, 0.7
        assertArrayEquals(new float[] {0.7f, -0.3f, -0.3f, 0.7f},
                opo.advantages(group(new double[] {1, 0, 0, 1}, 100, 300, 50, 50)), TOL);
    }

    @Test
    void equalLengthsGiveThePlainMean() {
        // b = 5*1 / 20 = 0.25 = mean_g
        assertArrayEquals(new float[] {0.75f, -0.25f, -0.25f, -0.25f},
                opo.advantages(group(new double[] {1, 0, 0, 0}, 5, 5, 5, 5)), TOL);
    }

    @Test
    void emptyResponseHasNoWeightInTheBaseline() {
        // b = (0*1 + 10*0 + 30*1) / 40 = 0.75; A = 0.25, -0.75, 0.25
        assertArrayEquals(new float[] {0.25f, -0.75f, 0.25f}, opo.advantages(group(new double[] {1, 0, 1}, 0, 10, 30)), TOL);
    }

    @Test
    void noTokensAtAllFallsBackToThePlainMean() {
        // sum |o_j| = 0: b = mean_g = 0.25
        assertArrayEquals(new float[] {0.75f, -0.25f, -0.25f, -0.25f},
                opo.advantages(group(new double[] {1, 0, 0, 0}, 0, 0, 0, 0)), TOL);
    }

    @Test
    void equalRewardsGiveExactlyZero() {
        assertArrayEquals(new float[] {0f, 0f, 0f}, opo.advantages(group(new double[] {0.1, 0.1, 0.1}, 3, 7, 11)), 0f);
    }

    @Test
    void singleSampleKeepsItsRewardAsInVerl() {
        // G = 1: baseline 0 (verl's compute_opo_outcome_advantage), A = r
        assertArrayEquals(new float[] {0.7f}, opo.advantages(group(new double[] {0.7}, 12)), TOL);
    }

    @Test
    void emptyGroupGivesNoAdvantages() {
        assertEquals(0, opo.advantages(GroupRewards.of()).length);
    }

    @Test
    void isGroupOnly() {
        assertFalse(opo.hasBatchStage());
    }
}
