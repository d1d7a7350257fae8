package io.rlstream.processors.grouping;

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

    /**
     * DAPO's effective ratio (ALGORITHMS.md §2): kept groups over completed groups, NaN before the
     * first group.
     */
    public double effectiveRatio() {
        long completed = get(GROUPS_COMPLETED);
        return completed == 0 ? Double.NaN : (double) get(GROUPS_KEPT) / completed;
    }
}
