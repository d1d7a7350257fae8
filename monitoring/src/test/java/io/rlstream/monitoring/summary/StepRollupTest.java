package io.rlstream.monitoring.summary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.Metric;
import io.rlstream.events.MetricRollup;
import io.rlstream.events.StepSummary;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-step rollup, on values whose count, sum, min, max and mean are worked out by hand. */
class StepRollupTest {

    @Test
    void aMetricWithAStepBelongsToItAndOneWithoutBelongsToTheNewestStepSeen() {
        assertEquals(7, StepRollup.stepOf(metric("trainer.loss", 0.5, 7, Map.of(), 0), 3));
        assertEquals(3, StepRollup.stepOf(metric("worker.rollouts", 8, -1, Map.of(), 0), 3));
        assertEquals(0, StepRollup.stepOf(metric("worker.rollouts", 8, -1, Map.of(), 0), -1),
                "before the first training step, step 0");
    }

    @Test
    void tagsAreSortedIntoTheKeySoTheSameSeriesAlwaysHasTheSameKey() {
        assertEquals("reward.failed{reason=timeout}",
                StepRollup.key(metric("reward.failed", 1, -1, Map.of("reason", "timeout"), 0)));
        assertEquals("x{a=1,b=2}", StepRollup.key(metric("x", 1, -1, Map.of("b", "2", "a", "1"), 0)));
        assertEquals("trainer.kl", StepRollup.key(metric("trainer.kl", 1, -1, Map.of(), 0)));
    }

    @Test
    void valuesOfOneKeyRollUpIntoCountSumMinMaxLast() {
        // worker.samples_per_second 30, 10, 20 within step 4: count 3, sum 60, min 10, max 30, last 20, mean 20.
        StepSummary s = StepRollup.add(null, 4, metric("worker.samples_per_second", 30, -1, Map.of(), 1_000));
        s = StepRollup.add(s, 4, metric("worker.samples_per_second", 10, -1, Map.of(), 3_000));
        s = StepRollup.add(s, 4, metric("worker.samples_per_second", 20, -1, Map.of(), 2_000));
        s = StepRollup.add(s, 4, metric("trainer.loss", -0.25, 4, Map.of(), 1_500, 5));
        MetricRollup r = s.getMetrics().get("worker.samples_per_second");
        assertEquals(3, r.getCount());
        assertEquals(60, r.getSum());
        assertEquals(10, r.getMin());
        assertEquals(30, r.getMax());
        assertEquals(20, r.getLast(), "last in arrival order, not the largest time");
        assertEquals(20, StepRollup.mean(r));
        assertEquals(-0.25, s.getMetrics().get("trainer.loss").getLast());
        assertEquals(4, s.getStep());
        assertEquals(5, s.getPolicyVersion(), "the newest version any metric of the step named");
        assertEquals(Instant.ofEpochMilli(1_000), s.getFirstTime());
        assertEquals(Instant.ofEpochMilli(3_000), s.getLastTime());
    }

    @Test
    void aNanIsShownAsLastButDoesNotPoisonTheSumMinOrMax() {
        StepSummary s = StepRollup.add(null, 1, metric("trainer.kl", 0.5, 1, Map.of(), 0));
        s = StepRollup.add(s, 1, metric("trainer.kl", Double.NaN, 1, Map.of(), 0));
        MetricRollup r = s.getMetrics().get("trainer.kl");
        assertEquals(1, r.getCount());
        assertEquals(0.5, r.getSum());
        assertEquals(0.5, r.getMax());
        assertTrue(Double.isNaN(r.getLast()));
        assertEquals(0.5, StepRollup.mean(r));
        StepSummary onlyNan = StepRollup.add(null, 1, metric("trainer.kl", Double.NaN, 1, Map.of(), 0));
        assertTrue(Double.isNaN(StepRollup.mean(onlyNan.getMetrics().get("trainer.kl"))));
    }

    static Metric metric(String name, double value, long step, Map<String, String> tags, long time) {
        return metric(name, value, step, tags, time, -1);
    }

    static Metric metric(String name, double value, long step, Map<String, String> tags, long time, long version) {
        return Metric.newBuilder().setName(name).setValue(value).setStep(step).setPolicyVersion(version)
                .setSource(name.contains(".") ? name.substring(0, name.indexOf('.')) : name).setTags(tags).setTime(Instant.ofEpochMilli(time))
                .build();
    }
}
