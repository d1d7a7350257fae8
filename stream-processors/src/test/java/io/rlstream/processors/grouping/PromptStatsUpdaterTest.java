package io.rlstream.processors.grouping;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rlstream.events.PromptStats;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromptStatsUpdaterTest {

    @Test
    void passRateOverAllSamplesAndMovingAverageOfGroupRates() {
        // group 1: rewards [1, 0, 0, 0] at v3 -> 1 pass of 4; pass rate 0.25, EMA starts at 0.25
        PromptStats first = PromptStatsUpdater.update(null, group(3, 1, 0, 0, 0), 10, 0.1);
        assertEquals(4, first.getSamples());
        assertEquals(1, first.getGroups());
        assertEquals(0.25, first.getPassRate(), 1e-12);
        assertEquals(0.25, first.getMovingAverage(), 1e-12);
        assertEquals(3, first.getLastPolicyVersion());
        // group 2: rewards [1, 1, 1, 1] at v5 -> 5 passes of 8 = 0.625; EMA 0.9 * 0.25 + 0.1 * 1.0 = 0.325
        PromptStats second = PromptStatsUpdater.update(first, group(5, 1, 1, 1, 1), 20, 0.1);
        assertEquals(8, second.getSamples());
        assertEquals(2, second.getGroups());
        assertEquals(0.625, second.getPassRate(), 1e-12);
        assertEquals(0.325, second.getMovingAverage(), 1e-12);
        assertEquals(5, second.getLastPolicyVersion());
        assertEquals(Instant.ofEpochMilli(20), second.getUpdatedAt());
    }

    @Test
    void theLastGroupsIdSizeAndMeanRewardRideAlongForTheCurriculum() {
        // rewards [1, 0, 0.5, 0] -> mean 1.5 / 4 = 0.375 (PCL's value-model target)
        PromptStats stats = PromptStatsUpdater.update(null, group(2, 1, 0, 0.5, 0), 10, 0.1);
        assertEquals("g", stats.getLastGroupId());
        assertEquals(4, stats.getLastGroupSamples());
        assertEquals(0.375, stats.getLastGroupMeanReward(), 1e-12);
        // a group without usable samples has no mean: null, never 0
        PromptStats empty = PromptStatsUpdater.update(stats, group(3), 11, 0.1);
        assertEquals(0, empty.getLastGroupSamples());
        assertEquals(null, empty.getLastGroupMeanReward());
    }

    @Test
    void aGroupWithoutUsableSamplesCountsAsResolvedButLeavesTheRatesAlone() {
        PromptStats first = PromptStatsUpdater.update(null, group(1, 1, 0), 1, 0.1);
        PromptStats second = PromptStatsUpdater.update(first, group(2), 2, 0.1);
        assertEquals(2, second.getGroups());
        assertEquals(0.5, second.getPassRate(), 1e-12);
        assertEquals(0.5, second.getMovingAverage(), 1e-12);
    }

    @Test
    void keptGroupsCountOnlyTheGroupsAFilterLetThrough() {
        TrainingBatchGroup kept = TrainingBatchGroup.newBuilder(group(1, 1, 0))
                .setFilterStats(Map.of(FilterStats.GROUPS_COMPLETED, 1L, FilterStats.GROUPS_KEPT, 1L)).build();
        TrainingBatchGroup dropped = TrainingBatchGroup.newBuilder(group(1, 1, 1))
                .setFilterStats(Map.of(FilterStats.GROUPS_COMPLETED, 1L, FilterStats.GROUPS_DROPPED_EQUAL_REWARDS, 1L)).build();
        PromptStats s1 = PromptStatsUpdater.update(null, kept, 1, 0.1);
        PromptStats s2 = PromptStatsUpdater.update(s1, dropped, 2, 0.1);
        PromptStats s3 = PromptStatsUpdater.update(s2, kept, 3, 0.1);
        assertEquals(List.of(1L, 1L, 2L), List.of(s1.getKeptGroups(), s2.getKeptGroups(), s3.getKeptGroups()));
        assertEquals(3, s3.getGroups());
    }

    private static TrainingBatchGroup group(long version, double... rewards) {
        List<ScoredSample> samples = new ArrayList<>();
        for (int i = 0; i < rewards.length; i++) {
            samples.add(ScoredSample.newBuilder().setRolloutId("g/" + i).setPromptTokenIds(List.of())
                    .setResponseTokenIds(List.of()).setBehaviourLogprobs(List.of()).setReward(rewards[i])
                    .setAdvantage(0f).setPolicyVersion(version).build());
        }
        return TrainingBatchGroup.newBuilder().setBatchId("").setBatchSequence(-1).setGroupIndex(-1).setBatchGroups(0)
                .setBatchSamples(samples.size()).setMinPolicyVersion(version).setMaxPolicyVersion(version)
                .setFilterStats(Map.of()).setGroupId("g").setPromptId("p").setEstimator("grpo").setSamples(samples)
                .setCreatedAt(Instant.EPOCH).build();
    }
}
