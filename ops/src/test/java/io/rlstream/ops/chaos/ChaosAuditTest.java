package io.rlstream.ops.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.ops.chaos.ChaosAudit.Announcement;
import io.rlstream.ops.chaos.ChaosAudit.BatchRow;
import io.rlstream.ops.chaos.ChaosAudit.Outcome;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chaos audit on hand-made topic contents: every kind of loss and duplicate it must catch. */
class ChaosAuditTest {

    /**
     * Six dispatched groups: g1,g2 in batch b-0 (trained by v1), g3,g4 in b-1 (not trained yet),
     * g5 filtered, g6 never closed. Two rollouts each for g1..g4.
     */
    private final Map<String, Integer> dispatches = new HashMap<>(Map.of("g1", 1, "g2", 1, "g3", 1, "g4", 1, "g5", 1, "g6", 1));
    private final Map<String, Integer> rollouts = new HashMap<>();
    private final List<BatchRow> batches = new ArrayList<>(List.of(new BatchRow("b-0", 0, "g1", 2),
            new BatchRow("b-0", 0, "g2", 2), new BatchRow("b-1", 1, "g3", 2), new BatchRow("b-1", 1, "g4", 2)));
    private final Map<String, Outcome> outcomes = new HashMap<>(Map.of("g1", Outcome.KEPT, "g2", Outcome.KEPT,
            "g3", Outcome.KEPT, "g4", Outcome.KEPT, "g5", Outcome.FILTERED));
    // v0 is the starting checkpoint (no batch); the restarted trainer re-announced v1 with the same batch.
    private final List<Announcement> checkpoints = new ArrayList<>(List.of(new Announcement(0, List.of()),
            new Announcement(1, List.of("b-0")), new Announcement(1, List.of("b-0"))));

    ChaosAuditTest() {
        for (String g : List.of("g1", "g2", "g3", "g4")) {
            rollouts.put(g + "/0", 1);
            rollouts.put(g + "/1", 1);
        }
    }

    private ChaosAudit audit() {
        return ChaosAudit.of(dispatches, rollouts, batches, outcomes, checkpoints);
    }

    @Test
    void aCleanRunPassesAndEveryGroupHasItsReason() {
        ChaosAudit a = audit();
        assertEquals(List.of(), a.failures());
        // counted by hand from the fixture above
        assertEquals(Map.of("trained", 2, "batched, not yet trained", 2, "kept, awaiting a batch", 0, "filtered", 1,
                "timed out", 0, "still open", 1), a.reasons());
        assertEquals(6, a.dispatched());
        assertEquals(2, a.batches());
        assertEquals(1, a.trainedBatches());
        assertEquals(8, a.rollouts());
        assertEquals(2, a.versions());
    }

    @Test
    void aBatchTrainedTwiceFails() {
        checkpoints.add(new Announcement(2, List.of("b-0")));
        assertTrue(audit().failures().contains("batch b-0 trained 2 times: versions [1, 2]"), audit().failures().toString());
    }

    @Test
    void aSkippedBatchFails() {
        batches.add(new BatchRow("b-2", 2, "g5", 1));
        dispatches.put("g5", 1);
        checkpoints.add(new Announcement(2, List.of("b-2")));
        assertEquals(List.of("batch b-1 (sequence 1) was never trained, but batch sequence 2 was: skipped"), audit().failures());
    }

    @Test
    void aVersionGapFails() {
        checkpoints.add(new Announcement(3, List.of("b-1")));
        assertEquals(List.of("1 checkpoint versions missing between 0 and 3, e.g. [2]"), audit().failures());
    }

    @Test
    void aVersionReannouncedWithOtherBatchesFails() {
        checkpoints.add(new Announcement(1, List.of("b-1")));
        assertTrue(audit().failures().get(0).startsWith("version 1 announced with batches [b-0] and [b-1]"));
    }

    @Test
    void aGroupInTwoBatchesFails() {
        batches.add(new BatchRow("b-2", 2, "g1", 1));
        assertTrue(audit().failures().contains("group g1 is in batches 2 times: [b-0, b-2]"), audit().failures().toString());
    }

    @Test
    void anIncompleteBatchFails() {
        batches.remove(3);
        assertEquals(List.of("batch b-1 has 1 group records, says 2"), audit().failures());
    }

    @Test
    void duplicateRolloutsAndDispatchesFail() {
        rollouts.put("g1/0", 2);
        dispatches.put("g6", 2);
        ChaosAudit a = audit();
        assertEquals(1, a.duplicateRollouts());
        assertEquals(List.of("1 duplicate rollouts, e.g. [g1/0]", "group g6 dispatched 2 times"), a.failures());
    }

    @Test
    void aCheckpointNamingAnUnknownBatchOrABatchedGroupNeverDispatchedFails() {
        checkpoints.add(new Announcement(2, List.of("b-9")));
        dispatches.remove("g4");
        List<String> f = audit().failures();
        assertTrue(f.contains("version(s) [2] trained batch b-9, which is not on the topic"), f.toString());
        assertTrue(f.contains("1 batched groups were never dispatched, e.g. [g4]"), f.toString());
    }

    @Test
    void theOutcomeOfAClosedGroupComesFromItsFilterStatistics() {
        // the keys of io.rlstream.processors.grouping.FilterStats
        assertEquals(Outcome.KEPT, TopicRecorder.outcome(Map.of("groups_completed", 1L, "groups_kept", 1L, "groups_timed_out", 1L)));
        assertEquals(Outcome.TIMED_OUT, TopicRecorder.outcome(Map.of("groups_dropped_timed_out", 1L, "groups_timed_out", 1L)));
        assertEquals(Outcome.FILTERED, TopicRecorder.outcome(Map.of("groups_dropped_equal_rewards", 1L, "groups_timed_out", 0L)));
    }

    @Test
    void theMedianCountsARecoveryThatNeverCameAsTheLongest() {
        assertEquals(2.0, ChaosRun.median(List.of(3.0, 1.0, 2.0)));
        assertEquals(2.5, ChaosRun.median(List.of(4.0, 1.0, 2.0, 3.0)));
        assertEquals(Double.POSITIVE_INFINITY, ChaosRun.median(List.of(1.0, Double.NaN, Double.NaN)));
    }
}
