package io.rlstream.monitoring.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.Metric;
import io.rlstream.events.MetricRollup;
import io.rlstream.events.StepSummary;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StepSeriesTest {

    static Metric metric(String name, double value, long step, Map<String, String> tags) {
        return Metric.newBuilder().setName(name).setValue(value).setStep(step).setPolicyVersion(step)
                .setSource("demo").setTags(tags).setTime(Instant.ofEpochMilli(5_000 + step)).build();
    }

    static MetricRollup rollup(long count, double sum, double min, double max, double last) {
        return MetricRollup.newBuilder().setCount(count).setSum(sum).setMin(min).setMax(max).setLast(last).build();
    }

    @Test
    void checkpointMetricsGiveEveryTrainerSeriesAndAccuracyComesFromTheMetricsTopic() {
        StepSeries series = new StepSeries(100);
        series.add(Events.checkpoint(1, 1, List.of("b0"), Map.of("reward_mean", 0.25, "effective_ratio", 0.5,
                "staleness_mean", 1.5, "rollouts_per_second", 300.0, "kl", 0.001, "loss", -0.01, "samples", 128.0)));
        // accuracy at step 1, a tagged metric (not charted) and a step-less one (ignored)
        series.add(metric("eval.accuracy", 0.42, 1, Map.of()));
        series.add(metric("trainer.loss", 9.0, 1, Map.of("k", "v")));
        series.add(metric("eval.accuracy", 0.99, -1, Map.of()));

        StepSeries.StepRow row = series.since(0).steps().get(0);
        assertEquals(1, row.step());
        assertEquals(1, row.policyVersion());
        assertEquals(Map.of("reward", 0.25, "effective_ratio", 0.5, "staleness", 1.5, "throughput", 300.0, "kl", 0.001,
                "loss", -0.01, "accuracy", 0.42), row.values());
        assertEquals(List.of(StepSeries.CHECKPOINTS, StepSeries.METRICS), series.sources());
    }

    @Test
    void aSummaryTakesTheLastValueOfEachUntaggedKey() {
        StepSeries series = new StepSeries(100);
        series.add(StepSummary.newBuilder().setStep(7).setPolicyVersion(7).setFirstTime(Instant.ofEpochMilli(1))
                .setLastTime(Instant.ofEpochMilli(2)).setMetrics(Map.of(
                        "trainer.reward_mean", rollup(1, 0.6, 0.6, 0.6, 0.6),
                        "eval.accuracy", rollup(2, 1.5, 0.7, 0.8, 0.8),
                        "trainer.kl{phase=x}", rollup(1, 5, 5, 5, 5)))
                .build());
        assertEquals(Map.of("reward", 0.6, "accuracy", 0.8), series.since(0).steps().get(0).values());
        assertEquals(List.of(StepSeries.SUMMARY), series.sources());
    }

    @Test
    void readersGetOnlyRowsChangedAfterTheirRevisionIncludingLateValuesOfOldSteps() {
        StepSeries series = new StepSeries(100);
        series.add(Events.checkpoint(1, 1, List.of(), Map.of("loss", 0.1)));
        series.add(Events.checkpoint(2, 2, List.of(), Map.of("loss", 0.2)));
        StepSeries.Changes first = series.since(0);
        assertEquals(2, first.revision());
        assertEquals(List.of(1L, 2L), first.steps().stream().map(StepSeries.StepRow::step).toList());

        series.add(metric("eval.accuracy", 0.5, 1, Map.of())); // accuracy of step 1 arrives after step 2
        StepSeries.Changes next = series.since(first.revision());
        assertEquals(1, next.steps().size());
        assertEquals(Map.of("loss", 0.1, "accuracy", 0.5), next.steps().get(0).values());
        assertTrue(series.since(next.revision()).steps().isEmpty());
    }

    @Test
    void nanIsLeftOutAndTheOldestStepsGoBeyondCapacity() {
        StepSeries series = new StepSeries(2);
        series.add(Events.checkpoint(1, 1, List.of(), Map.of("loss", Double.NaN)));
        assertEquals(0, series.size(), "a step with only NaN makes no row");
        for (long s = 1; s <= 3; s++) {
            series.add(Events.checkpoint(s, s, List.of(), Map.of("loss", (double) s)));
        }
        assertEquals(List.of(2L, 3L), series.since(0).steps().stream().map(StepSeries.StepRow::step).toList());
        assertEquals(3, series.latest().orElseThrow().step());
        assertFalse(series.since(0).steps().get(0).values().containsKey("reward"));
    }
}
