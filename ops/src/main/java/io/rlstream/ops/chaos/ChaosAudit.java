package io.rlstream.ops.chaos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a chaos run checks, from what the topics hold once everything stopped (all read committed):
 * each training batch trained at most once and none skipped, every group in at most one batch and
 * every batch complete, every dispatched group accounted for by reason, no rollout twice, no gap in
 * the checkpoint versions. Pure: built from the recorded records, so that it is tested on its own.
 */
public final class ChaosAudit {

    /** One record of rl.training-batches: one group of a batch. */
    public record BatchRow(String batchId, long sequence, String groupId, int batchGroups) {
    }

    /** One announcement on rl.checkpoints: the version and the batches its step trained. */
    public record Announcement(long version, List<String> batchIds) {
    }

    /** How a dispatched group ended, by the grouping app's verdict on its group-outcomes topic. */
    public enum Outcome { KEPT, FILTERED, TIMED_OUT }

    /** The reasons a dispatched group is in, in the order the table prints them. */
    public static final List<String> REASONS = List.of("trained", "batched, not yet trained", "kept, awaiting a batch",
            "filtered", "timed out", "still open");

    private final Map<String, Integer> reasons = new LinkedHashMap<>();
    private final List<String> failures = new ArrayList<>();
    private final long dispatched;
    private final long batches;
    private final long trainedBatches;
    private final long rollouts;
    private final long duplicateRollouts;
    private final long versions;

    private ChaosAudit(long dispatched, long batches, long trainedBatches, long rollouts, long duplicateRollouts,
            long versions) {
        this.dispatched = dispatched;
        this.batches = batches;
        this.trainedBatches = trainedBatches;
        this.rollouts = rollouts;
        this.duplicateRollouts = duplicateRollouts;
        this.versions = versions;
    }

    /**
     * @param dispatches   times each group id was dispatched (rl.prompt-dispatch)
     * @param rollouts     times each rollout, {@code group_id/sample_index}, was committed (rl.rollouts)
     * @param batchRows    rl.training-batches in order
     * @param outcomes     the verdict per closed group
     * @param announcements rl.checkpoints in order
     */
    public static ChaosAudit of(Map<String, Integer> dispatches, Map<String, Integer> rollouts, List<BatchRow> batchRows,
            Map<String, Outcome> outcomes, List<Announcement> announcements) {
        // Checkpoints: a version may be announced again (a restarted trainer re-announces where it
        // starts), never with other batches; versions contiguous; each batch in one version.
        Map<Long, List<String>> byVersion = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (Announcement a : announcements) {
            List<String> earlier = byVersion.putIfAbsent(a.version(), a.batchIds());
            if (earlier != null && !earlier.equals(a.batchIds())) {
                failures.add("version " + a.version() + " announced with batches " + earlier + " and " + a.batchIds());
            }
        }
        if (!byVersion.isEmpty()) {
            long first = ((TreeMap<Long, List<String>>) byVersion).firstKey();
            long last = ((TreeMap<Long, List<String>>) byVersion).lastKey();
            long missing = last - first + 1 - byVersion.size();
            if (missing > 0) {
                List<Long> gaps = new ArrayList<>();
                for (long v = first; v <= last && gaps.size() < 5; v++) {
                    if (!byVersion.containsKey(v)) {
                        gaps.add(v);
                    }
                }
                failures.add(missing + " checkpoint versions missing between " + first + " and " + last + ", e.g. " + gaps);
            }
        }
        Map<String, List<Long>> trainedIn = new HashMap<>();
        byVersion.forEach((v, ids) -> ids.forEach(id -> trainedIn.computeIfAbsent(id, k -> new ArrayList<>()).add(v)));

        // Batches: complete, each group once, each trained at most once, none skipped.
        Map<String, Long> sequenceOf = new HashMap<>();
        Map<String, Integer> rowsOf = new HashMap<>();
        Map<String, Integer> sizeOf = new HashMap<>();
        Map<String, Set<String>> batchesOfGroup = new HashMap<>();
        for (BatchRow r : batchRows) {
            sequenceOf.putIfAbsent(r.batchId(), r.sequence());
            rowsOf.merge(r.batchId(), 1, Integer::sum);
            sizeOf.putIfAbsent(r.batchId(), r.batchGroups());
            batchesOfGroup.computeIfAbsent(r.groupId(), g -> new TreeSet<>()).add(r.batchId());
        }
        Map<String, Integer> timesInBatches = new HashMap<>();
        batchRows.forEach(r -> timesInBatches.merge(r.groupId(), 1, Integer::sum));
        timesInBatches.forEach((group, n) -> {
            if (n > 1) {
                failures.add("group " + group + " is in batches " + n + " times: " + batchesOfGroup.get(group));
            }
        });
        rowsOf.forEach((batch, n) -> {
            if (n != sizeOf.get(batch)) {
                failures.add("batch " + batch + " has " + n + " group records, says " + sizeOf.get(batch));
            }
        });
        long lastTrainedSequence = -1;
        long trained = 0;
        for (Map.Entry<String, List<Long>> e : trainedIn.entrySet()) {
            if (!sequenceOf.containsKey(e.getKey())) {
                failures.add("version(s) " + e.getValue() + " trained batch " + e.getKey() + ", which is not on the topic");
                continue;
            }
            trained++;
            if (e.getValue().size() > 1) {
                failures.add("batch " + e.getKey() + " trained " + e.getValue().size() + " times: versions " + e.getValue());
            }
            lastTrainedSequence = Math.max(lastTrainedSequence, sequenceOf.get(e.getKey()));
        }
        for (Map.Entry<String, Long> e : new TreeMap<>(sequenceOf).entrySet()) {
            if (!trainedIn.containsKey(e.getKey()) && e.getValue() < lastTrainedSequence) {
                failures.add("batch " + e.getKey() + " (sequence " + e.getValue() + ") was never trained, but batch sequence "
                        + lastTrainedSequence + " was: skipped");
            }
        }

        // Rollouts and dispatches: nothing twice.
        long duplicates = rollouts.values().stream().mapToLong(n -> n - 1L).sum();
        if (duplicates > 0) {
            failures.add(duplicates + " duplicate rollouts, e.g. " + rollouts.entrySet().stream().filter(e -> e.getValue() > 1)
                    .map(Map.Entry::getKey).limit(3).toList());
        }
        dispatches.forEach((group, n) -> {
            if (n > 1) {
                failures.add("group " + group + " dispatched " + n + " times");
            }
        });
        Set<String> undispatched = new TreeSet<>(batchesOfGroup.keySet());
        undispatched.removeAll(dispatches.keySet());
        if (!undispatched.isEmpty()) {
            failures.add(undispatched.size() + " batched groups were never dispatched, e.g. "
                    + undispatched.stream().limit(3).toList());
        }

        ChaosAudit audit = new ChaosAudit(dispatches.size(), sequenceOf.size(), trained,
                rollouts.values().stream().mapToLong(Integer::longValue).sum(), duplicates, byVersion.size());
        REASONS.forEach(r -> audit.reasons.put(r, 0));
        for (String group : dispatches.keySet()) {
            audit.reasons.merge(reason(group, batchesOfGroup, trainedIn, outcomes), 1, Integer::sum);
        }
        audit.failures.addAll(failures);
        return audit;
    }

    private static String reason(String group, Map<String, Set<String>> batchesOfGroup, Map<String, List<Long>> trainedIn,
            Map<String, Outcome> outcomes) {
        Set<String> in = batchesOfGroup.get(group);
        if (in != null) {
            return in.stream().anyMatch(trainedIn::containsKey) ? "trained" : "batched, not yet trained";
        }
        Outcome outcome = outcomes.get(group);
        if (outcome == null) {
            return "still open";
        }
        return switch (outcome) {
            case KEPT -> "kept, awaiting a batch";
            case FILTERED -> "filtered";
            case TIMED_OUT -> "timed out";
        };
    }

    /** Dispatched groups per reason, every reason of {@link #REASONS} present. */
    public Map<String, Integer> reasons() {
        return reasons;
    }

    /** What failed, one line each; empty if the audit passes. */
    public List<String> failures() {
        return failures;
    }

    public boolean passed() {
        return failures.isEmpty();
    }

    public long dispatched() {
        return dispatched;
    }

    public long batches() {
        return batches;
    }

    public long trainedBatches() {
        return trainedBatches;
    }

    public long rollouts() {
        return rollouts;
    }

    public long duplicateRollouts() {
        return duplicateRollouts;
    }

    public long versions() {
        return versions;
    }
}
