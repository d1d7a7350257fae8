package io.rlstream.trainer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.training.tracker.Tracker;
import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    private static final double PEAK = 3e-4;

    /** The trackers PolicyTrainer built from a TrainerConfig before this class replaced them. */
    private static Tracker djlTracker(float peak, int warmupSteps, int decaySteps) {
        Tracker main = decaySteps == 0
                ? Tracker.fixed(peak)
                : Tracker.cosine().setBaseValue(peak).optFinalValue(peak / 10).setMaxUpdates(decaySteps).build();
        if (warmupSteps == 0) {
            return main;
        }
        return Tracker.warmUp().setMainTracker(main).optWarmUpSteps(warmupSteps).optWarmUpBeginValue(0f).build();
    }

    @Test
    void equalsTheDjlTrackersAtTheUpdateCountDjlsOptimizerPassesThem() {
        // DJL's Optimizer counts updates from 1, so the update at 0-based step s read tracker(s + 1).
        int[][] shapes = {{10, 300}, {0, 300}, {10, 0}, {0, 0}, {3, 5}, {1, 1}};
        for (int[] shape : shapes) {
            LearningRateSchedule schedule = new LearningRateSchedule(PEAK, shape[0], shape[1], 0.1);
            Tracker tracker = djlTracker((float) PEAK, shape[0], shape[1]);
            for (int step = 0; step < 400; step++) {
                double expected = tracker.getNewValue(step + 1);
                // DJL computes in float32: agreement to float precision
                assertEquals(expected, schedule.at(step), 1e-6 * PEAK,
                        "warmup " + shape[0] + ", decay " + shape[1] + ", step " + step);
            }
        }
    }

    @Test
    void handComputedValuesOfTheDemoRecipe() {
        // TrainerConfig.defaults(): peak 1e-4, 10 warm-up steps, cosine over 300 down to 1e-5
        LearningRateSchedule schedule = LearningRateSchedule.of(TrainerConfig.defaults());
        assertEquals(1e-5, schedule.at(0), 1e-15);      // first update: peak · 1/10
        assertEquals(5e-5, schedule.at(4), 1e-15);      // fifth: peak · 5/10
        assertEquals(1e-4, schedule.at(9), 1e-15);      // tenth: the peak, cos(0) = 1
        // half-way through the cosine (150 of 300): cos(π/2) = 0, so the mid-point 1e-5 + 9e-5/2
        assertEquals(5.5e-5, schedule.at(159), 1e-15);
        assertEquals(1e-5, schedule.at(309), 1e-15);    // end of the cosine: cos(π) = -1
        assertEquals(1e-5, schedule.at(10_000), 1e-15); // constant after
        // one step into the cosine: 1e-5 + 9e-5 · (1 + cos(π/300)) / 2
        assertEquals(1e-5 + 9e-5 * (1 + Math.cos(Math.PI / 300)) / 2, schedule.at(10), 1e-18);
    }

    @Test
    void withoutDecayTheRateStaysAtThePeakAfterTheWarmUp() {
        LearningRateSchedule schedule = new LearningRateSchedule(1e-3, 4, 0, 0.1);
        assertEquals(2.5e-4, schedule.at(0), 1e-15);
        assertEquals(1e-3, schedule.at(3), 1e-15);
        assertEquals(1e-3, schedule.at(1_000_000), 1e-15);
        assertEquals(1e-3, new LearningRateSchedule(1e-3, 0, 0, 0.1).at(0), 1e-15);
    }

    @Test
    void rejectsSettingsThatMakeNoSchedule() {
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(0, 1, 1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(1e-3, -1, 1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(1e-3, 1, 1, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(1e-3, 1, 1, 0.1).at(-1));
    }
}
