package io.rlstream.processors.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.Prompt;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.TopicPartitionOffset;
import io.rlstream.processors.ProcessorsFixture;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * AReaL's admission on a real broker: with η = 0 and B = 2 the dispatcher sends one batch's
 * groups, then nothing until the trainer's next version appears on rl.checkpoints; the counts it
 * decides on (accepted from rl.prompt-stats, dispatched from rl.prompt-dispatch) survive a restart.
 * A stand-in for the grouping app answers each dispatched group as resolved and kept.
 */
class StalenessAdmissionIT {

    private static final TopicCatalog CATALOG = TopicCatalog.defaults();

    @RegisterExtension
    final PipelineFixture pipeline = PipelineFixture.extension(CATALOG);
    @TempDir
    Path stateDir;

    private ProcessorsConfig config() {
        return ProcessorsFixture.config(pipeline, stateDir, Map.of(
                "dispatch.max-staleness", "0",
                "batch.groups", "2",
                "group.size", "2",
                "dispatch.max-in-flight-groups", "100",
                "dispatch.query.port", "-1"));
    }

    @Test
    void synchronousAdmissionWaitsForEachVersionAlsoAcrossARestart() throws Exception {
        pipeline.sendAll(Topic.PROMPTS, Prompt::getPromptId, List.of("a", "b", "c").stream()
                .map(id -> Prompt.newBuilder().setPromptId(id).setText(id).setCreatedAt(Instant.now()).build()).toList());
        // every group resolved with pass rate 0.5 and kept: what admission counts as accepted
        try (GroupingStandIn grouping = new GroupingStandIn(pipeline, id -> 0.5, true)) {
            DispatcherService first = DispatcherService.start(config(), null);
            // v = 0: (0 + 0 + 1) * 2 = 2 groups, both kept; then nothing, however long we wait
            List<PromptDispatch> round1 = grouping.answer(Duration.ofSeconds(6));
            assertEquals(2, round1.size(), "one batch of B = 2 groups at v0");
            assertTrue(round1.stream().allMatch(d -> d.getPolicyVersion() == 0));
            first.close();

            // a restart counts the 2 accepted groups from the topics and still waits for v1
            DispatcherService second = DispatcherService.start(config(), null);
            try {
                assertEquals(List.of(), grouping.answer(Duration.ofSeconds(4)), "still v0: nothing");
                pipeline.send(Topic.CHECKPOINTS, "demo", CheckpointPublished.newBuilder().setPolicyName("demo")
                        .setVersion(1).setUri("file:/v1").setStep(1).setOffsets(List.of(new TopicPartitionOffset("rl.training-batches", 0, 1L))).setCreatedAt(Instant.now()).build());
                // v = 1: (0 + 1 + 1) * 2 - 2 accepted = 2 more, dispatched at v1
                List<PromptDispatch> round2 = grouping.answer(Duration.ofSeconds(5));
                assertEquals(2, round2.size(), "the next batch after v1");
                assertTrue(round2.stream().allMatch(d -> d.getPolicyVersion() == 1), round2.toString());
                assertEquals(4, second.dispatcher().snapshot().dispatched());
            } finally {
                second.close();
            }
        }
    }
}
