package io.rlstream.monitoring.dashboard;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.Metric;
import io.rlstream.events.MetricRollup;
import io.rlstream.events.StepSummary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The charted values per training step, built from whichever of three sources a cluster has: a
 * {@link StepSummary} of rl.step-summary (the rollup app), the metrics map of a
 * {@link CheckpointPublished} on rl.checkpoints (every trainer metric of the step), and single
 * {@link Metric}s on rl.metrics (held-out accuracy, {@code eval.accuracy}, is only there and in
 * the summary). The sources agree on a step's values, so the latest write wins.
 *
 * <p>A step's row changes after it first appears (accuracy is reported later; a summary grows as
 * services report), so readers poll by revision, not by step: every change stamps the row with
 * the next revision, and {@link #since(long)} returns the rows changed after a revision the
 * reader saw. Non-finite values (NaN when a batch had no samples) are left out: JSON has no NaN.
 * At most {@code capacity} steps are kept; the oldest go first.
 */
public final class StepSeries {

    /** Source names, as the API reports them. */
    public static final String SUMMARY = "step-summary";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String METRICS = "metrics";

    /** One step: its policy version, when it was last reported (epoch ms), and a value per series id. */
    public record StepRow(long step, long policyVersion, long time, Map<String, Double> values, long revision) {
    }

    /** Rows changed after a revision, in step order, with the revision to ask from next. */
    public record Changes(long revision, List<StepRow> steps) {
    }

    private final int capacity;
    private final TreeMap<Long, StepRow> rows = new TreeMap<>();
    private final Set<String> sources = new TreeSet<>();
    private long revision;

    public StepSeries(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("step capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** A step's rollup: each series takes the {@code last} value of its untagged metric key. */
    public synchronized void add(StepSummary summary) {
        Map<String, Double> values = new LinkedHashMap<>();
        Map<String, MetricRollup> metrics = summary.getMetrics();
        for (Series s : Series.values()) {
            MetricRollup r = metrics.get(s.metricName());
            if (r != null && r.getCount() > 0) {
                values.put(s.id(), r.getLast());
            }
        }
        update(summary.getStep(), summary.getPolicyVersion(), summary.getLastTime().toEpochMilli(), values, SUMMARY);
    }

    /** A checkpoint's step metrics (keys without the {@code trainer.} prefix). */
    public synchronized void add(CheckpointPublished checkpoint) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (Series s : Series.values()) {
            s.checkpointKey().map(checkpoint.getMetrics()::get).ifPresent(v -> values.put(s.id(), v));
        }
        update(checkpoint.getStep(), checkpoint.getVersion(), checkpoint.getCreatedAt().toEpochMilli(), values, CHECKPOINTS);
    }

    /** One metric: counts when it belongs to a step (step >= 0), has no tags, and feeds a series. */
    public synchronized void add(Metric metric) {
        if (metric.getStep() < 0 || !metric.getTags().isEmpty()) {
            return;
        }
        Series.ofMetric(metric.getName()).ifPresent(s -> update(metric.getStep(), metric.getPolicyVersion(),
                metric.getTime().toEpochMilli(), Map.of(s.id(), metric.getValue()), METRICS));
    }

    private void update(long step, long policyVersion, long time, Map<String, Double> values, String source) {
        Map<String, Double> finite = new TreeMap<>();
        values.forEach((k, v) -> {
            if (v != null && Double.isFinite(v)) {
                finite.put(k, v);
            }
        });
        if (finite.isEmpty()) {
            return;
        }
        sources.add(source);
        StepRow old = rows.get(step);
        Map<String, Double> merged = new TreeMap<>(old == null ? Map.of() : old.values());
        merged.putAll(finite);
        long version = Math.max(policyVersion, old == null ? -1 : old.policyVersion());
        long t = Math.max(time, old == null ? 0 : old.time());
        rows.put(step, new StepRow(step, version, t, Collections.unmodifiableMap(merged), ++revision));
        while (rows.size() > capacity) {
            rows.pollFirstEntry();
        }
    }

    /** The rows changed after {@code revision} (0: every row), in step order. */
    public synchronized Changes since(long revision) {
        List<StepRow> changed = new ArrayList<>();
        for (StepRow r : rows.values()) {
            if (r.revision() > revision) {
                changed.add(r);
            }
        }
        return new Changes(this.revision, changed);
    }

    /** The newest step's row, if any. */
    public synchronized java.util.Optional<StepRow> latest() {
        return rows.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(rows.lastEntry().getValue());
    }

    public synchronized int size() {
        return rows.size();
    }

    /** Which sources have given values so far. */
    public synchronized List<String> sources() {
        return List.copyOf(sources);
    }
}
