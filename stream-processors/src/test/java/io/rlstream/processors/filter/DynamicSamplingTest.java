package io.rlstream.processors.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DynamicSamplingTest {

    private final DynamicSampling filter = new DynamicSampling();

    @Test
    void keepsGroupsWithAnyContrast() {
        assertEquals(Verdict.KEEP, filter.judge(new double[] {1, 0, 0, 0}));
        assertEquals(Verdict.KEEP, filter.judge(new double[] {0.5, 0.5, 0.75}));
    }

    @Test
    void dropsAllCorrectAndAllWrongGroups() {
        // DAPO: std = 0 -> zero advantage for every sample -> no gradient
        assertEquals(Verdict.EQUAL_REWARDS, filter.judge(new double[] {1, 1, 1, 1}));
        assertEquals(Verdict.EQUAL_REWARDS, filter.judge(new double[] {0, 0}));
        assertEquals("equal_rewards", Verdict.EQUAL_REWARDS.reason());
    }

    @Test
    void dropsGroupsWithFewerThanTwoUsableSamples() {
        assertEquals(Verdict.TOO_FEW_SAMPLES, filter.judge(new double[] {1}));
        assertEquals(Verdict.TOO_FEW_SAMPLES, filter.judge(new double[0]));
        assertEquals("too_few_samples", Verdict.TOO_FEW_SAMPLES.reason());
    }

    @Test
    void nonEmptyFilterOnlyDropsGroupsWithoutSamples() {
        GroupFilter none = new NonEmpty();
        assertEquals(Verdict.KEEP, none.judge(new double[] {1, 1}));
        assertEquals(Verdict.KEEP, none.judge(new double[] {1}));
        assertEquals(Verdict.TOO_FEW_SAMPLES, none.judge(new double[0]));
    }
}
