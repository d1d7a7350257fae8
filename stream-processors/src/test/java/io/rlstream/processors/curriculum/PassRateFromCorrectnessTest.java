package io.rlstream.processors.curriculum;

import static io.rlstream.processors.curriculum.Prompts.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rlstream.events.PromptStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, fix 4: a prompt's pass rate is the share of correct samples, not its mean reward
 * clamped to [0, 1]. Prompt stats as the grouping app writes them (PromptStatsUpdaterTest checks
 * that side) are turned into an outcome the way the dispatcher does ({@link GroupOutcome#of}).
 */
class PassRateFromCorrectnessTest {

    /**
     * reward.incorrect = −1: a group of 4 with 2 correct has rewards [1, −1, 1, −1], mean 0. The
     * old estimate clamp(0, 0, 1) = 0 put the prompt below AReaL's [0.05, 0.95] window although it
     * is solved half the time; the share of correct samples is 2/4 = 0.5, inside.
     */
    @Test
    void aPromptSolvedHalfTheTimeWithPlusMinusOneRewardsIsInsideTheWindow() {
        PassRateWindowSelector s = new PassRateWindowSelector(0.05, 0.95, 0.0);
        s.observe(GroupOutcome.of(stats("half", 0.0, 0.5)), null);
        assertEquals(0.5, s.view("half", null).estimate(), 1e-12);
        assertEquals("in-window", s.view("half", null).pool());
    }

    /**
     * correctness=1,format=0.1: all 4 wrong but well formatted have rewards 0.1 each (mean 0.1,
     * which the old estimate read as a pass rate of 0.1, inside the window); none is correct, so
     * the pass rate is 0 and the prompt is below the window.
     */
    @Test
    void aFormatBonusOnWrongAnswersIsNotAPass() {
        PassRateWindowSelector s = new PassRateWindowSelector(0.05, 0.95, 0.0);
        s.observe(GroupOutcome.of(stats("wrong", 0.1, 0.0)), null);
        assertEquals(0.0, s.view("wrong", null).estimate(), 1e-12);
        assertEquals("below-window", s.view("wrong", null).pool());
    }

    /**
     * PCL aims at τ = 0.5: with ±1 rewards, its value model must learn the share of correct
     * samples (0.5 for the half-solved prompt), not the clamped mean (0), or τ = 0.5 aims at
     * prompts solved 75% of the time (mean reward 2·0.75 − 1 = 0.5).
     */
    @Test
    void pclLearnsThePassRateNotTheClampedMeanReward() {
        List<Double> targets = new ArrayList<>();
        ValueModel recording = new ValueModel() {
            @Override
            public double predict(String text) {
                return 0.5;
            }

            @Override
            public void update(String text, double target, long policyVersion) {
                targets.add(target);
            }

            @Override
            public long updates() {
                return targets.size();
            }

            @Override
            public long policyVersion() {
                return 0;
            }
        };
        PclSelector pcl = new PclSelector(recording, 2, 0.5);
        PromptPool prompts = pool("half");
        pcl.observe(GroupOutcome.of(stats("half", 0.0, 0.5)), prompts.get("half"));
        assertEquals(List.of(0.5), targets);
    }

    /** Stats that predate last_group_pass_rate keep the old estimate (mean reward clamped to [0, 1]). */
    @Test
    void statsWithoutTheCorrectShareFallBackToTheClampedMean() {
        PassRateWindowSelector s = new PassRateWindowSelector(0.05, 0.95, 0.0);
        s.observe(GroupOutcome.of(stats("old", 0.3, null)), null);
        assertEquals(0.3, s.view("old", null).estimate(), 1e-12);
    }

    private static PromptStats stats(String promptId, double meanReward, Double passRate) {
        return PromptStats.newBuilder().setPromptId(promptId).setSamples(4).setGroups(1).setPassRate(0)
                .setMovingAverage(0).setLastPolicyVersion(0).setUpdatedAt(Instant.EPOCH)
                .setLastGroupId(promptId + "-g").setLastGroupSamples(4).setLastGroupMeanReward(meanReward)
                .setLastGroupPassRate(passRate).build();
    }
}
