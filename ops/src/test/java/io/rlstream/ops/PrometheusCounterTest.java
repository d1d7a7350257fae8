package io.rlstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How the chaos run reads an instance's work from its /metrics: one counter, summed over its label sets. */
class PrometheusCounterTest {

    @Test
    void sumsTheNamedSamplesOnlyOverAllLabels() {
        String text = """
                # TYPE rlstream_reward_scored_rollouts_total counter
                rlstream_reward_scored_rollouts_total{source="reward-service",verifier="math"} 12.0
                rlstream_reward_scored_rollouts_total{source="reward-service",verifier="code"} 30.0 1700000000000
                rlstream_reward_scored_rollouts_total_extra 999.0
                rlstream_reward_scored{source="reward-service"} 5.0
                """;
        // by hand: 12 + 30; the longer name and the gauge of the same stem are other series
        assertEquals(42, RlstreamServiceProcess.sumOf(text, "rlstream_reward_scored_rollouts_total"));
        assertEquals(5, RlstreamServiceProcess.sumOf(text, "rlstream_reward_scored"));
        assertEquals(0, RlstreamServiceProcess.sumOf(text, "rlstream_grouping_groups_completed_groups_total"));
    }
}
