package io.rlstream.processors.advantage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GrpoTest {

    private static final float TOL = 1e-5f;

    @Test
    void oneCorrectOfFourWithSampleStd() {
        // mean = 1/4 = 0.25; deviations 0.75, -0.25, -0.25, -0.25
        // squares 0.5625 + 3 * 0.0625 = 0.75; sample variance 0.75 / (4 - 1) = 0.25; std 0.5
        // A = 0.75 / (0.5 + 1e-6) = 1.499997, -0.25 / 0.500001 = -0.499999
        float[] a = new Grpo().advantages(GroupRewards.of(1, 0, 0, 0));
        assertArrayEquals(new float[] {1.5f, -0.5f, -0.5f, -0.5f}, a, TOL);
    }

    @Test
    void oneCorrectOfFourWithPopulationStd() {
        // same squares 0.75; population variance 0.75 / 4 = 0.1875; std = sqrt(0.1875) = 0.4330127 = sqrt(3)/4
        // A_0 = 0.75 / (sqrt(3)/4) = sqrt(3) = 1.7320508; A_other = -0.25 / (sqrt(3)/4) = -1/sqrt(3) = -0.5773503
        float[] a = new Grpo(Grpo.Std.POPULATION, 1e-6).advantages(GroupRewards.of(1, 0, 0, 0));
        assertArrayEquals(new float[] {1.7320508f, -0.5773503f, -0.5773503f, -0.5773503f}, a, TOL);
    }

    @Test
    void evenlySpacedRewards() {
        // mean (2 + 4 + 6) / 3 = 4; deviations -2, 0, 2; squares 8; sample variance 8 / 2 = 4; std 2
        // A = -2/2, 0/2, 2/2
        float[] a = new Grpo().advantages(GroupRewards.of(2, 4, 6));
        assertArrayEquals(new float[] {-1f, 0f, 1f}, a, TOL);
    }

    @Test
    void allEqualRewardsGiveZeroEvenWithoutEpsilon() {
        // std is exactly 0, every deviation is 0: advantages 0, never 0/0
        assertArrayEquals(new float[] {0f, 0f, 0f}, new Grpo(Grpo.Std.SAMPLE, 0).advantages(GroupRewards.of(0.1, 0.1, 0.1)));
        assertArrayEquals(new float[] {0f, 0f}, new Grpo().advantages(GroupRewards.of(1, 1)));
    }

    @Test
    void singleSampleHasNoBaselineAsInVerl() {
        // G = 1: mean 0, std 1 (docs/algorithms.md#advantage-estimators, verl) -> A = 0.7 / (1 + 1e-6)
        assertArrayEquals(new float[] {0.7f}, new Grpo().advantages(GroupRewards.of(0.7)), TOL);
    }

    @Test
    void emptyGroupGivesNoAdvantages() {
        assertEquals(0, new Grpo().advantages(GroupRewards.of()).length);
    }

    @Test
    void epsilonKeepsTinyStdsBounded() {
        // rewards 0 and 2e-6: mean 1e-6, deviations ±1e-6, sample std sqrt(2e-12 / 1) = 1.4142e-6
        // A = ±1e-6 / (1.4142e-6 + 1e-6) = ±0.41421
        float[] a = new Grpo().advantages(GroupRewards.of(0, 2e-6));
        assertArrayEquals(new float[] {-0.41421f, 0.41421f}, a, TOL);
    }

    @Test
    void registryKnowsGrpoAndNamesTheUnknown() {
        assertInstanceOf(Grpo.class, AdvantageEstimators.FAMILY.create("grpo", AdvantageOptions.defaults()));
        assertTrue(AdvantageEstimators.FAMILY.names().contains("grpo"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdvantageEstimators.FAMILY.create("ppo-gae", AdvantageOptions.defaults()));
        assertTrue(e.getMessage().contains("ppo-gae") && e.getMessage().contains("grpo"), e.getMessage());
    }

    @Test
    void rejectsNegativeEpsilon() {
        assertThrows(IllegalArgumentException.class, () -> new Grpo(Grpo.Std.SAMPLE, -1e-6));
    }
}
