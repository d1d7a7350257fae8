package io.rlstream.processors.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.schemas.Topic;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** grouping.rollouts.source: rewards by default, rollouts-topic on request, anything else refused at start. */
class RolloutsSourceTest {

    @Test
    void rewardsIsTheDefaultAndReadsRewardsOnly() {
        RolloutsSource source = RolloutsSource.from(new ProcessorsConfig(Map.of()));
        assertEquals(RolloutsSource.REWARDS, source);
        assertEquals(List.of(Topic.REWARDS), source.inputs());
    }

    @Test
    void rolloutsTopicReadsBothAsBefore() {
        RolloutsSource source = RolloutsSource.from(new ProcessorsConfig(Map.of(ProcessorsConfig.ROLLOUTS_SOURCE,
                "rollouts-topic")));
        assertEquals(RolloutsSource.ROLLOUTS_TOPIC, source);
        assertEquals(List.of(Topic.ROLLOUTS, Topic.REWARDS), source.inputs());
    }

    @Test
    void anUnknownValueIsRefusedWithTheAllowedOnes() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ProcessorsConfig(Map.of(ProcessorsConfig.ROLLOUTS_SOURCE, "rollouts")));
        assertTrue(e.getMessage().contains("grouping.rollouts.source"), e.getMessage());
        assertTrue(e.getMessage().contains("rewards, rollouts-topic"), e.getMessage());
    }
}
