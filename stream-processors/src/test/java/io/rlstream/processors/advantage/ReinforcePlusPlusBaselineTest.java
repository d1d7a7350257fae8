package io.rlstream.processors.advantage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * reinforce-pp-baseline: a_i = r_i − mean_g per group, then whitened over all tokens of the batch,
 * each sample counted |o_i| times, population variance clamped at 1e-8 (OpenRLHF, arXiv 2501.03262).
 */
class ReinforcePlusPlusBaselineTest {

    private static final float TOL = 1e-6f;
    private final ReinforcePlusPlusBaseline estimator = new ReinforcePlusPlusBaseline();

    private static GroupRewards group(double[] rewards, int... lengths) {
        return new GroupRewards(rewards, lengths);
    }

    /** Both stages, as the batch assembler runs them. */
    private List<float[]> run(GroupRewards... groups) {
        List<float[]> firstStage = new ArrayList<>();
        for (GroupRewards g : groups) {
            firstStage.add(estimator.advantages(g));
        }
        return estimator.normalizeBatch(List.of(groups), firstStage);
    }

    @Test
    void groupStageSubtractsTheGroupMean() {
        assertArrayEquals(new float[] {0.75f, -0.25f, -0.25f, -0.25f}, estimator.advantages(GroupRewards.of(1, 0, 0, 0)), TOL);
        assertArrayEquals(new float[] {0f, 0f}, estimator.advantages(GroupRewards.of(0.1, 0.1)), 0f);
        assertArrayEquals(new float[] {0.7f}, estimator.advantages(GroupRewards.of(0.7)), TOL);
        assertEquals(0, estimator.advantages(GroupRewards.of()).length);
        assertTrue(estimator.hasBatchStage());
    }

    @Test
    void whitensOverTokensOfTwoGroupsWithDifferentLengths() {
        // group stage: (1,0) -> 0.5, -0.5 with lengths 3, 1
        //              (1,0,0,0) -> 0.75, -0.25, -0.25, -0.25 with lengths 2, 1, 1, 0
        // tokens 3 + 1 + 2 + 1 + 1 + 0 = 8
        // mean = (3*0.5 - 1*0.5 + 2*0.75 - 0.25 - 0.25 + 0) / 8 = 2/8 = 0.25
        // deviations 0.25, -0.75, 0.5, -0.5, -0.5, (-0.5, weight 0)
        // var = (3*0.0625 + 0.5625 + 2*0.25 + 0.25 + 0.25) / 8 = 1.75/8 = 0.21875; std 0.4677072
        // A = 0.25/0.4677072 = 0.5345225, -0.75/.. = -1.6035675, 0.5/.. = 1.0690450, -0.5/.. = -1.0690450
        // the length-0 sample is whitened with the batch's statistics but did not shape them
        List<float[]> a = run(group(new double[] {1, 0}, 3, 1), group(new double[] {1, 0, 0, 0}, 2, 1, 1, 0));
        assertArrayEquals(new float[] {0.5345225f, -1.6035675f}, a.get(0), TOL);
        assertArrayEquals(new float[] {1.0690450f, -1.0690450f, -1.0690450f, -1.0690450f}, a.get(1), TOL);
        // after whitening: token-weighted mean 0 (3*0.5345 - 1.6036 + 2*1.0690 - 1.0690 - 1.0690 = 0)
        double weightedSum = 3 * a.get(0)[0] + a.get(0)[1] + 2 * a.get(1)[0] + a.get(1)[1] + a.get(1)[2];
        assertEquals(0, weightedSum, 1e-5);
    }

    @Test
    void tinyVarianceIsClampedAt1e8() {
        // a = 5e-6, -5e-6 (lengths 1, 1): mean 0, var 2.5e-11 < 1e-8 -> divide by sqrt(1e-8) = 1e-4
        // A = ±0.05 (without the clamp they would be inflated to ±1)
        List<float[]> a = run(GroupRewards.of(1e-5, 0));
        assertArrayEquals(new float[] {0.05f, -0.05f}, a.get(0), TOL);
    }

    @Test
    void batchOfUnanimousGroupsStaysZero() {
        // every a is exactly 0: mean 0, var 0 clamped to 1e-8, (0 - 0) * 1e4 = 0
        List<float[]> a = run(GroupRewards.of(1, 1, 1), group(new double[] {0, 0}, 5, 9));
        assertArrayEquals(new float[] {0f, 0f, 0f}, a.get(0), 0f);
        assertArrayEquals(new float[] {0f, 0f}, a.get(1), 0f);
    }

    @Test
    void batchWithoutTokensIsLeftAsTheGroupStageMadeIt() {
        // no token to whiten over (and none to receive the advantages): 0.5, -0.5 unchanged
        List<float[]> a = run(group(new double[] {1, 0}, 0, 0));
        assertArrayEquals(new float[] {0.5f, -0.5f}, a.get(0), 0f);
        assertTrue(estimator.normalizeBatch(List.of(), List.of()).isEmpty());
    }

    @Test
    void batchStageLeavesItsInputAlone() {
        float[] firstStage = {0.5f, -0.5f};
        List<float[]> out = estimator.normalizeBatch(List.of(group(new double[] {1, 0}, 0, 0)), List.of(firstStage));
        out.get(0)[0] = 42;
        assertArrayEquals(new float[] {0.5f, -0.5f}, firstStage, 0f);
    }

    @Test
    void rejectsAdvantagesThatDoNotMatchTheGroups() {
        assertThrows(IllegalArgumentException.class,
                () -> estimator.normalizeBatch(List.of(GroupRewards.of(1, 0)), List.of(new float[3])));
    }
}
