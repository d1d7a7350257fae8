package io.rlstream.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.TrainingBatchGroup;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BatchCollectorTest {

    @Test
    void aBatchIsReleasedOnlyWhenAllItsGroupsAreThereInGroupOrder() {
        BatchCollector c = new BatchCollector();
        assertTrue(c.add(group("b0", 2, 3)).isEmpty());
        assertTrue(c.add(group("b0", 0, 3)).isEmpty());
        var batch = c.add(group("b0", 1, 3)).orElseThrow();
        assertEquals(List.of(0, 1, 2), batch.stream().map(TrainingBatchGroup::getGroupIndex).toList());
        assertTrue(!c.hasOpenBatch());
    }

    @Test
    void aReplayedGroupIndexCountsOnce() {
        BatchCollector c = new BatchCollector();
        c.add(group("b1", 0, 2));
        assertTrue(c.add(group("b1", 0, 2)).isEmpty(), "the same group twice does not complete a batch of 2");
        assertEquals(2, c.add(group("b1", 1, 2)).orElseThrow().size());
    }

    static TrainingBatchGroup group(String batch, int index, int groups) {
        return TrainingBatchGroup.newBuilder().setBatchId(batch).setBatchSequence(0).setGroupIndex(index)
                .setBatchGroups(groups).setBatchSamples(0).setMinPolicyVersion(0).setMaxPolicyVersion(0)
                .setFilterStats(Map.of()).setGroupId("g" + index).setPromptId("p").setEstimator("grpo")
                .setSamples(List.of()).setCreatedAt(Instant.EPOCH).build();
    }
}
