package io.rlstream.monitoring.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.SampleStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LineageIndexTest {

    /**
     * Group g1, G = 4: samples 0 and 1 correct (reward 1), 2 wrong (0), 3 a failed generation.
     * GRPO over the three usable rewards {1, 1, 0}: mean 2/3, so advantages +1/3·k, +1/3·k, −2/3·k
     * (the values here are what the processors wrote; the index only carries them). The failed
     * sample is not in the batch. Batch b7 is trained by the step that made checkpoint v5.
     */
    @Test
    void assemblesPromptRolloutsRewardsAdvantagesBatchAndCheckpointArrivingInAnyOrder() {
        LineageIndex index = new LineageIndex(10);
        // the checkpoint and a reward come before the dispatch: one consumer, many partitions
        index.add(Events.reward("g1", 0, 1.0));
        index.add(Events.dispatch("g1", "p-g1", "37+48=", 4, 3));
        index.add(Events.rollout("g1", 0, "85", 3, SampleStatus.OK));
        index.add(Events.rollout("g1", 1, "85", 4, SampleStatus.OK));
        index.add(Events.rollout("g1", 2, "84", 4, SampleStatus.OK));
        index.add(Events.rollout("g1", 3, "", 4, SampleStatus.FAILED));
        index.add(Events.reward("g1", 1, 1.0));
        index.add(Events.reward("g1", 2, 0.0));
        assertEquals("rewarded", index.lineage("g1").orElseThrow().stage());

        index.add(Events.batchGroup("b7", 7, 1, "g1", List.of(Events.scored("g1", 0, 1.0, 0.5f, 3),
                Events.scored("g1", 1, 1.0, 0.5f, 4), Events.scored("g1", 2, 0.0, -1.0f, 4))));
        assertEquals("batched", index.lineage("g1").orElseThrow().stage());
        index.add(Events.checkpoint(5, 5, List.of("b6", "b7"), Map.of()));

        LineageIndex.GroupLineage g = index.lineage("g1").orElseThrow();
        assertEquals("trained", g.stage());
        assertEquals(new LineageIndex.PromptInfo("p-g1", "37+48=", 4, 3, 1_000), g.prompt());
        assertEquals(4, g.samples().size());
        assertEquals(List.of(0, 1, 2, 3), g.samples().stream().map(LineageIndex.Sample::sampleIndex).toList());
        assertEquals(List.of("85", "85", "84", ""), g.samples().stream().map(LineageIndex.Sample::response).toList());
        assertEquals(List.of(3L, 4L, 4L, 4L), g.samples().stream().map(LineageIndex.Sample::behaviourPolicyVersion).toList());
        assertEquals(java.util.Arrays.asList(1.0, 1.0, 0.0, null),
                g.samples().stream().map(LineageIndex.Sample::reward).toList());
        assertEquals(java.util.Arrays.asList(0.5, 0.5, -1.0, null),
                g.samples().stream().map(LineageIndex.Sample::advantage).toList());
        assertEquals(List.of(true, true, true, false), g.samples().stream().map(LineageIndex.Sample::inBatch).toList());
        assertEquals("FAILED", g.samples().get(3).status());
        assertEquals("generator died", g.samples().get(3).error());
        assertEquals(Map.of("correct", 1.0), g.samples().get(0).rewardComponents());
        assertEquals("b7", g.batch().batchId());
        assertEquals(7, g.batch().sequence());
        assertEquals("grpo", g.batch().estimator());
        assertEquals(new LineageIndex.CheckpointInfo(5, 5, "file:/tmp/ckpt/v5"), g.checkpoint());
    }

    @Test
    void beforeBatchingNoSampleIsMarkedDroppedAndThereIsNoCheckpoint() {
        LineageIndex index = new LineageIndex(10);
        index.add(Events.dispatch("g2", "p-g2", "10+10=", 2, 0));
        index.add(Events.rollout("g2", 0, "20", 0, SampleStatus.OK));
        LineageIndex.GroupLineage g = index.lineage("g2").orElseThrow();
        assertEquals("generated", g.stage());
        assertNull(g.samples().get(0).inBatch());
        assertNull(g.batch());
        assertNull(g.checkpoint());
    }

    @Test
    void keepsTheMostRecentGroupsOnlyAndListsThemNewestFirst() {
        LineageIndex index = new LineageIndex(3);
        for (int i = 1; i <= 5; i++) {
            index.add(Events.dispatch("g" + i, "p" + i, i + "+1=", 2, 0));
        }
        assertEquals(3, index.size());
        assertTrue(index.lineage("g1").isEmpty(), "g1 and g2 were evicted");
        assertTrue(index.lineage("g2").isEmpty());
        assertTrue(index.lineage("g3").isPresent());
        assertEquals(List.of("g5", "g4", "g3"), index.recent(10, null).stream()
                .map(LineageIndex.GroupSummary::groupId).toList());
        assertEquals(List.of("g5", "g4"), index.recent(2, null).stream().map(LineageIndex.GroupSummary::groupId).toList());

        index.add(Events.reward("g4", 0, 1.0));
        index.add(Events.reward("g4", 1, 0.0));
        LineageIndex.GroupSummary g4 = index.recent(10, "rewarded").get(0);
        assertEquals("g4", g4.groupId());
        assertEquals(0.5, g4.rewardMean());
        assertEquals(1, index.recent(10, "rewarded").size());
    }
}
