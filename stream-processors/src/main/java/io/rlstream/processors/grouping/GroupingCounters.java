package io.rlstream.processors.grouping;

import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.monitoring.metrics.MetricName;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the grouping topology since this process started, read by {@link GroupingApp} to
 * publish metrics. Observations only: a transaction that aborts and is retried counts twice here,
 * while the batches' filter_stats (kept in state stores) count exactly once.
 */
public final class GroupingCounters {

    public static final String DEAD_LETTERS = "dead_letters";
    public static final String SAMPLES_DEMOTED = "samples_demoted";
    public static final String DUPLICATES = "duplicates";
    public static final String LATE_RECORDS = "late_records";
    public static final String GROUPS_COMPLETED = FilterStats.GROUPS_COMPLETED;
    public static final String GROUPS_KEPT = FilterStats.GROUPS_KEPT;
    public static final String SAMPLES_FAILED = FilterStats.SAMPLES_FAILED;
    public static final String BATCHES = "batches";
    public static final String PREFERENCE_PAIRS = "preference_pairs";
    public static final String FEEDBACK_MERGED = "feedback_merged";
    public static final String GENERATION_CAP_HITS = "generation_cap_hits";
    public static final String ROLLOUTS_MISSING = "rollouts_missing";
    public static final String CHECKPOINTS_SKIPPED = "checkpoints_skipped";

    /**
     * The catalogued metric of each counter (groups_dropped_REASON: a member of the dropped family).
     * A counter added here without a catalogue constant fails the first publish, and the test.
     */
    private static final Map<String, MetricName> METRICS = Map.ofEntries(
            Map.entry(DEAD_LETTERS, MetricCatalog.GROUPING_DEAD_LETTERS),
            Map.entry(SAMPLES_DEMOTED, MetricCatalog.GROUPING_SAMPLES_DEMOTED),
            Map.entry(DUPLICATES, MetricCatalog.GROUPING_DUPLICATES),
            Map.entry(LATE_RECORDS, MetricCatalog.GROUPING_LATE_RECORDS),
            Map.entry(BATCHES, MetricCatalog.GROUPING_BATCHES),
            Map.entry(PREFERENCE_PAIRS, MetricCatalog.GROUPING_PREFERENCE_PAIRS),
            Map.entry(FEEDBACK_MERGED, MetricCatalog.GROUPING_FEEDBACK_MERGED),
            Map.entry(GENERATION_CAP_HITS, MetricCatalog.GROUPING_GENERATION_CAP_HITS),
            Map.entry(ROLLOUTS_MISSING, MetricCatalog.GROUPING_ROLLOUTS_MISSING),
            Map.entry(CHECKPOINTS_SKIPPED, MetricCatalog.GROUPING_CHECKPOINTS_SKIPPED),
            Map.entry(FilterStats.GROUPS_COMPLETED, MetricCatalog.GROUPING_GROUPS_COMPLETED),
            Map.entry(FilterStats.GROUPS_KEPT, MetricCatalog.GROUPING_GROUPS_KEPT),
            Map.entry(FilterStats.GROUPS_TIMED_OUT, MetricCatalog.GROUPING_GROUPS_TIMED_OUT),
            Map.entry(FilterStats.SAMPLES_FAILED, MetricCatalog.GROUPING_SAMPLES_FAILED),
            Map.entry(FilterStats.SAMPLES_STALE, MetricCatalog.GROUPING_SAMPLES_STALE),
            Map.entry(FilterStats.SAMPLES_TRUNCATED, MetricCatalog.GROUPING_SAMPLES_TRUNCATED),
            Map.entry(FilterStats.SAMPLES_FILTERED, MetricCatalog.GROUPING_SAMPLES_FILTERED_PF_PPO));

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void add(String name, long n) {
        counts.computeIfAbsent(name, k -> new LongAdder()).add(n);
    }

    void increment(String name) {
        add(name, 1);
    }

    /** Adds what one closed group contributes ({@link FilterStats#ofGroup}). */
    void groupClosed(Map<String, Long> stats) {
        stats.forEach(this::add);
    }

    public long get(String name) {
        LongAdder a = counts.get(name);
        return a == null ? 0 : a.sum();
    }

    /** Every counter, sorted by name; the standard filter counters are present even when zero. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>(FilterStats.zero());
        for (String name : new String[] {DEAD_LETTERS, SAMPLES_DEMOTED, DUPLICATES, LATE_RECORDS, BATCHES,
                PREFERENCE_PAIRS}) {
            out.put(name, 0L);
        }
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Every counter ({@link #snapshot()}) under the catalogued metric it is published as. */
    public Map<MetricName, Long> metrics() {
        Map<MetricName, Long> out = new LinkedHashMap<>();
        snapshot().forEach((counter, value) -> out.put(metric(counter), value));
        return out;
    }

    /** The catalogued metric of a counter; a counter without one is a bug, named here. */
    static MetricName metric(String counter) {
        if (counter.startsWith(FilterStats.GROUPS_DROPPED_PREFIX)) {
            return MetricCatalog.GROUPING_GROUPS_DROPPED.withSuffix(
                    counter.substring(FilterStats.GROUPS_DROPPED_PREFIX.length()));
        }
        MetricName metric = METRICS.get(counter);
        if (metric == null) {
            throw new IllegalStateException("grouping counter '" + counter + "' has no MetricCatalog constant: "
                    + "add one and map it in GroupingCounters.METRICS");
        }
        return metric;
    }

    /**
     * DAPO's effective ratio (docs/algorithms.md#group-filters): kept groups over completed groups, NaN before the
     * first group.
     */
    public double effectiveRatio() {
        long completed = get(GROUPS_COMPLETED);
        return completed == 0 ? Double.NaN : (double) get(GROUPS_KEPT) / completed;
    }
}
