package io.rlstream.processors.grouping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.monitoring.metrics.MetricName;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every grouping counter is published under a catalogued metric; one without a constant is refused. */
class GroupingCountersTest {

    @Test
    void everyCounterOfASnapshotHasItsCatalogueConstant() {
        GroupingCounters counters = new GroupingCounters();
        counters.increment(GroupingCounters.DUPLICATES);
        counters.groupClosed(Map.of(FilterStats.GROUPS_COMPLETED, 1L, FilterStats.GROUPS_DROPPED_EQUAL_REWARDS, 1L));
        Map<MetricName, Long> metrics = counters.metrics();
        // the standard counters are present even at zero: one metric per counter of the snapshot
        assertEquals(counters.snapshot().size(), metrics.size());
        assertEquals(1L, metrics.get(MetricCatalog.GROUPING_DUPLICATES));
        assertEquals(1L, metrics.get(MetricCatalog.GROUPING_GROUPS_COMPLETED));
        assertEquals(0L, metrics.get(MetricCatalog.GROUPING_SAMPLES_FILTERED_PF_PPO));
        assertEquals(1L, metrics.get(MetricCatalog.GROUPING_GROUPS_DROPPED.withSuffix("equal_rewards")));
        for (MetricName name : metrics.keySet()) {
            assertEquals(name.name().startsWith("grouping.groups_dropped_") ? MetricCatalog.GROUPING_GROUPS_DROPPED : name,
                    MetricCatalog.find(name.name()).orElseThrow(), "catalogued: " + name.name());
        }
    }

    @Test
    void aCounterWithoutACatalogueConstantIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> GroupingCounters.metric("groups_lost"));
        assertTrue(e.getMessage().contains("groups_lost"), e.getMessage());
    }
}
