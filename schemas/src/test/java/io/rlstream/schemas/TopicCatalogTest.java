package io.rlstream.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.rlstream.events.Rollout;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicCatalogTest {

    @Test
    void defaultNamesFollowTheArchitectureTable() {
        TopicCatalog c = TopicCatalog.defaults();
        assertEquals("rl.prompts", c.name(Topic.PROMPTS));
        assertEquals("rl.prompt-dispatch", c.name(Topic.PROMPT_DISPATCH));
        assertEquals("rl.training-batches", c.name(Topic.TRAINING_BATCHES));
        assertEquals("rl.dead-letters", c.name(Topic.DEAD_LETTERS));
        assertEquals("rl.step-summary", c.name(Topic.STEP_SUMMARY));
        assertEquals(14, c.topics().size());
    }

    @Test
    void groupTopicsShareOnePartitionCountSoTheyAreCoPartitioned() {
        TopicCatalog c = new TopicCatalog("x.", 6);
        assertEquals(List.of(6, 6, 6), List.of(c.partitions(Topic.PROMPT_DISPATCH), c.partitions(Topic.ROLLOUTS),
                c.partitions(Topic.REWARDS)));
        assertEquals(1, c.partitions(Topic.TRAINING_BATCHES));
        assertEquals("x.rollouts", c.name(Topic.ROLLOUTS));
    }

    @Test
    void largeRecordTopicsAllow16MiBAndCompress() {
        assertEquals("16777216", Topic.ROLLOUTS.configs().get("max.message.bytes"));
        assertEquals("zstd", Topic.TRAINING_BATCHES.configs().get("compression.type"));
        assertEquals("compact", Topic.PROMPT_STATS.configs().get("cleanup.policy"));
        assertEquals("compact", Topic.STEP_SUMMARY.configs().get("cleanup.policy"));
        assertEquals(Rollout.class, Topic.ROLLOUTS.valueType());
        // one key rewritten every few seconds: compacted, in segments small enough for the cleaner to reach
        assertEquals("rl.dispatcher-state", TopicCatalog.defaults().name(Topic.DISPATCHER_STATE));
        assertEquals("compact", Topic.DISPATCHER_STATE.configs().get("cleanup.policy"));
        assertEquals("600000", Topic.DISPATCHER_STATE.configs().get("segment.ms"));
    }

    @Test
    void invalidCatalogIsRejectedWithTheReason() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TopicCatalog("rl.", 0));
        assertEquals("group topic partitions must be >= 1, got 0", e.getMessage());
    }
}
