package io.rlstream.processors.grouping;

import io.rlstream.processors.filter.Verdict;
import java.util.Map;
import java.util.TreeMap;

/**
 * Names of the counters in {@code TrainingBatchGroup.filter_stats}: what happened to the groups
 * completed since the previous batch. groups_completed = groups_kept + the sum of groups_dropped_*.
 */
public final class FilterStats {

    public static final String GROUPS_COMPLETED = "groups_completed";
    public static final String GROUPS_KEPT = "groups_kept";
    /** Prefix of the drop counters; the suffix is {@link Verdict#reason()}. */
    public static final String GROUPS_DROPPED_PREFIX = "groups_dropped_";
    public static final String GROUPS_DROPPED_EQUAL_REWARDS = GROUPS_DROPPED_PREFIX + Verdict.EQUAL_REWARDS.reason();
    public static final String GROUPS_DROPPED_TOO_FEW_SAMPLES = GROUPS_DROPPED_PREFIX + Verdict.TOO_FEW_SAMPLES.reason();
    /** Samples excluded from completed groups: failed generations, failed verifications. */
    public static final String SAMPLES_FAILED = "samples_failed";

    private FilterStats() {
    }

    /** The counters one completed group contributes. */
    public static Map<String, Long> ofGroup(Verdict verdict, int samplesFailed) {
        Map<String, Long> stats = new TreeMap<>();
        stats.put(GROUPS_COMPLETED, 1L);
        stats.put(verdict.kept() ? GROUPS_KEPT : GROUPS_DROPPED_PREFIX + verdict.reason(), 1L);
        stats.put(SAMPLES_FAILED, (long) samplesFailed);
        return stats;
    }

    /** An all-zero set of the standard counters, so a batch always reports every one of them. */
    public static Map<String, Long> zero() {
        Map<String, Long> stats = new TreeMap<>();
        for (String name : new String[] {GROUPS_COMPLETED, GROUPS_KEPT, GROUPS_DROPPED_EQUAL_REWARDS,
                GROUPS_DROPPED_TOO_FEW_SAMPLES, SAMPLES_FAILED}) {
            stats.put(name, 0L);
        }
        return stats;
    }
}
