package io.rlstream.processors.grouping;

import io.rlstream.processors.filter.Verdict;
import java.util.Map;
import java.util.TreeMap;

/**
 * Names of the counters in {@code TrainingBatchGroup.filter_stats}: what happened to the groups
 * completed since the previous batch, and to their samples. groups_completed = groups_kept + the
 * sum of groups_dropped_*; every dropped group and every sample left out has its reason here.
 */
public final class FilterStats {

    public static final String GROUPS_COMPLETED = "groups_completed";
    public static final String GROUPS_KEPT = "groups_kept";
    /** Prefix of the drop counters; the suffix is {@link Verdict#reason()}. */
    public static final String GROUPS_DROPPED_PREFIX = "groups_dropped_";
    public static final String GROUPS_DROPPED_EQUAL_REWARDS = GROUPS_DROPPED_PREFIX + Verdict.EQUAL_REWARDS.reason();
    public static final String GROUPS_DROPPED_TOO_FEW_SAMPLES = GROUPS_DROPPED_PREFIX + Verdict.TOO_FEW_SAMPLES.reason();
    public static final String GROUPS_DROPPED_TIMED_OUT = GROUPS_DROPPED_PREFIX + Verdict.TIMED_OUT.reason();
    /** Groups closed by the timeout, kept or dropped (a kept one went on with the samples it had). */
    public static final String GROUPS_TIMED_OUT = "groups_timed_out";
    /** Samples excluded from completed groups: failed generations, failed verifications, never arrived (timeout). */
    public static final String SAMPLES_FAILED = "samples_failed";
    /** Samples excluded because their policy version was older than current − η (filter.max-staleness). */
    public static final String SAMPLES_STALE = "samples_stale";
    /** Samples of kept groups marked truncated for the trainer to mask (filter.overlong). */
    public static final String SAMPLES_TRUNCATED = "samples_truncated";
    /** Samples of kept groups left out by PF-PPO's per-group filtration (filter.pf-ppo). */
    public static final String SAMPLES_FILTERED = "samples_filtered_pf_ppo";

    private FilterStats() {
    }

    /** The counters one closed group contributes. */
    public static Map<String, Long> ofGroup(Verdict verdict, int samplesFailed, int samplesStale,
            int samplesTruncated, boolean timedOut) {
        Map<String, Long> stats = new TreeMap<>();
        stats.put(GROUPS_COMPLETED, 1L);
        stats.put(verdict.kept() ? GROUPS_KEPT : GROUPS_DROPPED_PREFIX + verdict.reason(), 1L);
        stats.put(SAMPLES_FAILED, (long) samplesFailed);
        stats.put(SAMPLES_STALE, (long) samplesStale);
        stats.put(SAMPLES_TRUNCATED, (long) samplesTruncated);
        stats.put(GROUPS_TIMED_OUT, timedOut ? 1L : 0L);
        return stats;
    }

    /** An all-zero set of the standard counters, so a batch always reports every one of them. */
    public static Map<String, Long> zero() {
        Map<String, Long> stats = new TreeMap<>();
        for (String name : new String[] {GROUPS_COMPLETED, GROUPS_KEPT, GROUPS_DROPPED_EQUAL_REWARDS,
                GROUPS_DROPPED_TOO_FEW_SAMPLES, GROUPS_DROPPED_TIMED_OUT, GROUPS_TIMED_OUT, SAMPLES_FAILED,
                SAMPLES_STALE, SAMPLES_TRUNCATED, SAMPLES_FILTERED}) {
            stats.put(name, 0L);
        }
        return stats;
    }
}
