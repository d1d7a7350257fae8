package io.rlstream.processors.advantage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * grpo-batch-std: A_i = (r_i − mean_g)/(std_batch + ε), std_batch over all rewards of the batch
 * (Lite PPO, arXiv 2508.08221; TRL scale_rewards="batch").
 */
class GrpoBatchStdTest {

    private static final float TOL = 1e-6f;
    private final GrpoBatchStd estimator = new GrpoBatchStd();

    /** Both stages, as the batch assembler runs them. */
    private static List<float[]> run(AdvantageEstimator estimator, GroupRewards... groups) {
        List<float[]> firstStage = new ArrayList<>();
        for (GroupRewards g : groups) {
            firstStage.add(estimator.advantages(g));
        }
        return estimator.normalizeBatch(List.of(groups), firstStage);
    }

    @Test
    void groupStageSubtractsTheGroupMeanOnly() {
        // mean 0.25: 0.75, -0.25, -0.25, -0.25; the std comes in the batch stage
        assertArrayEquals(new float[] {0.75f, -0.25f, -0.25f, -0.25f}, estimator.advantages(GroupRewards.of(1, 0, 0, 0)), TOL);
        assertTrue(estimator.hasBatchStage());
    }

    @Test
    void twoGroupsShareTheBatchStd() {
        // group stage: (1,0,0,0) mean 0.25 -> 0.75, -0.25 x3;  (1,1,0,1) mean 0.75 -> 0.25, 0.25, -0.75, 0.25
        // batch rewards 1,0,0,0,1,1,0,1: mean 4/8 = 0.5, every deviation ±0.5, squares 8 * 0.25 = 2
        // sample std sqrt(2/7) = 0.5345225; scale 1/(0.5345225 + 1e-6) = 1.8708252
        // 0.75 * 1.8708252 = 1.4031189; 0.25 * 1.8708252 = 0.4677063
        // (GRPO per group would give 1.5, -0.5 for the first group and 0.5, 0.5, -1.5, 0.5 for the second)
        List<float[]> a = run(estimator, GroupRewards.of(1, 0, 0, 0), GroupRewards.of(1, 1, 0, 1));
        assertArrayEquals(new float[] {1.4031189f, -0.4677063f, -0.4677063f, -0.4677063f}, a.get(0), TOL);
        assertArrayEquals(new float[] {0.4677063f, 0.4677063f, -1.4031189f, 0.4677063f}, a.get(1), TOL);
    }

    @Test
    void populationStdDividesByN() {
        // same batch; population std sqrt(2/8) = 0.5; 0.75/(0.5 + 1e-6) = 1.499997, 0.25/0.500001 = 0.499999
        List<float[]> a = run(new GrpoBatchStd(Grpo.Std.POPULATION, 1e-6), GroupRewards.of(1, 0, 0, 0), GroupRewards.of(1, 1, 0, 1));
        assertArrayEquals(new float[] {1.499997f, -0.499999f, -0.499999f, -0.499999f}, a.get(0), TOL);
        assertArrayEquals(new float[] {0.499999f, 0.499999f, -1.499997f, 0.499999f}, a.get(1), TOL);
    }

    @Test
    void unanimousGroupStaysZeroInAMixedBatch() {
        // group (1,1) has no signal: group stage 0, 0 / anything = 0
        List<float[]> a = run(estimator, GroupRewards.of(1, 1), GroupRewards.of(1, 0));
        assertArrayEquals(new float[] {0f, 0f}, a.get(0), 0f);
        assertEquals(a.get(1)[0], -a.get(1)[1], TOL);
    }

    @Test
    void loneSampleHasNoBaselineButSharesTheScale() {
        // group stage: (1,0) -> 0.5, -0.5; (1) -> 1 (G = 1: no baseline, as verl)
        // batch rewards 1, 0, 1: mean 2/3; squares (1/3)^2 + (2/3)^2 + (1/3)^2 = 6/9; sample var (6/9)/2 = 1/3
        // std 0.5773503; 0.5/(0.5773503 + 1e-6) = 0.8660239; 1/0.5773513 = 1.7320478
        List<float[]> a = run(estimator, GroupRewards.of(1, 0), GroupRewards.of(1));
        assertArrayEquals(new float[] {0.8660239f, -0.8660239f}, a.get(0), TOL);
        assertArrayEquals(new float[] {1.7320478f}, a.get(1), TOL);
    }

    @Test
    void allRewardsOfTheBatchEqualGiveZero() {
        // std_batch = 0: no sample is better than another, also the lone one whose group stage kept r = 1
        List<float[]> a = run(estimator, GroupRewards.of(1, 1), GroupRewards.of(1));
        assertArrayEquals(new float[] {0f, 0f}, a.get(0), 0f);
        assertArrayEquals(new float[] {0f}, a.get(1), 0f);
        // a batch of one sample: its std is undefined (sample) or 0 (population): 0 as well
        assertArrayEquals(new float[] {0f}, run(estimator, GroupRewards.of(0.7)).get(0), 0f);
    }

    @Test
    void emptyGroupsAndEmptyBatches() {
        assertEquals(0, estimator.advantages(GroupRewards.of()).length);
        assertTrue(estimator.normalizeBatch(List.of(), List.of()).isEmpty());
        List<float[]> a = run(estimator, GroupRewards.of(), GroupRewards.of(1, 0));
        assertEquals(0, a.get(0).length);
        // batch rewards 1, 0: mean 0.5, sample std sqrt(0.5/1) = 0.7071068; 0.5/(0.7071068 + 1e-6) = 0.7071058
        assertArrayEquals(new float[] {0.7071058f, -0.7071058f}, a.get(1), TOL);
    }

    @Test
    void batchStageLeavesItsInputAlone() {
        List<GroupRewards> groups = List.of(GroupRewards.of(1, 0));
        float[] firstStage = {0.5f, -0.5f};
        estimator.normalizeBatch(groups, List.of(firstStage));
        assertArrayEquals(new float[] {0.5f, -0.5f}, firstStage, 0f);
    }

    @Test
    void rejectsAdvantagesThatDoNotMatchTheGroups() {
        assertThrows(IllegalArgumentException.class,
                () -> estimator.normalizeBatch(List.of(GroupRewards.of(1, 0)), List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> estimator.normalizeBatch(List.of(GroupRewards.of(1, 0)), List.of(new float[] {0.5f})));
    }

    @Test
    void rejectsNegativeEpsilon() {
        assertThrows(IllegalArgumentException.class, () -> new GrpoBatchStd(Grpo.Std.SAMPLE, -1));
    }
}
