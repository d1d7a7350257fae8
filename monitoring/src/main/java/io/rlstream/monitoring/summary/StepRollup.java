package io.rlstream.monitoring.summary;

import io.rlstream.events.Metric;
import io.rlstream.events.MetricRollup;
import io.rlstream.events.StepSummary;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Rolls metrics up per training step. Pure functions; {@link StepSummaryProcessor} keeps their
 * state in stores.
 *
 * <p>Which step a metric belongs to: a metric that names its step (the trainer's, and held-out
 * accuracy) belongs to that step; any other (the generators', the reward service's, the grouping
 * app's, the dispatcher's) belongs to the newest step seen before it, or step 0 before the first.
 * So step s's summary holds step s's training metrics and what the rest of the pipeline reported
 * while the batch of step s + 1 was being made. rl.metrics has one partition, so "before" is the
 * topic's order.
 */
public final class StepRollup {

    private StepRollup() {
    }

    /** The step a metric is counted in, given the newest step seen so far (-1 for none). */
    public static long stepOf(Metric metric, long newestStep) {
        return metric.getStep() >= 0 ? metric.getStep() : Math.max(newestStep, 0);
    }

    /** The key a metric is rolled up under: its name, or {@code name{k=v,...}} with the tags sorted. */
    public static String key(Metric metric) {
        if (metric.getTags().isEmpty()) {
            return metric.getName();
        }
        return metric.getName() + new TreeMap<>(metric.getTags()).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",", "{", "}"));
    }

    /**
     * The summary of {@code step} after adding one metric. {@code current} is the summary so far,
     * or null for the step's first metric. Non-finite values are kept out of count, sum, min and
     * max (a NaN would poison every later value) but become {@code last}, so a NaN that a service
     * reports stays visible.
     */
    public static StepSummary add(StepSummary current, long step, Metric metric) {
        long time = metric.getTime().toEpochMilli();
        Map<String, MetricRollup> metrics = current == null ? new TreeMap<>() : new TreeMap<>(current.getMetrics());
        double v = metric.getValue();
        String key = key(metric);
        MetricRollup before = metrics.get(key);
        boolean finite = Double.isFinite(v);
        MetricRollup after;
        if (before == null) {
            after = new MetricRollup(finite ? 1L : 0L, finite ? v : 0.0, finite ? v : Double.POSITIVE_INFINITY,
                    finite ? v : Double.NEGATIVE_INFINITY, v);
        } else {
            after = new MetricRollup(before.getCount() + (finite ? 1 : 0), before.getSum() + (finite ? v : 0.0),
                    finite ? Math.min(before.getMin(), v) : before.getMin(),
                    finite ? Math.max(before.getMax(), v) : before.getMax(), v);
        }
        metrics.put(key, after);
        long firstTime = current == null ? time : Math.min(current.getFirstTime().toEpochMilli(), time);
        long lastTime = current == null ? time : Math.max(current.getLastTime().toEpochMilli(), time);
        long version = Math.max(current == null ? -1 : current.getPolicyVersion(), metric.getPolicyVersion());
        return StepSummary.newBuilder()
                .setStep(step)
                .setPolicyVersion(version)
                .setFirstTime(Instant.ofEpochMilli(firstTime))
                .setLastTime(Instant.ofEpochMilli(lastTime))
                .setMetrics(metrics)
                .build();
    }

    /** The mean of a rolled-up metric's finite values; NaN when it had none. */
    public static double mean(MetricRollup rollup) {
        return rollup.getCount() == 0 ? Double.NaN : rollup.getSum() / rollup.getCount();
    }
}
