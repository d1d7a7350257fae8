package io.rlstream.processors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.rlstream.events.FinishReason;
import io.rlstream.events.Prompt;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.processors.dispatch.Dispatcher;
import io.rlstream.processors.grouping.GroupingApp;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dispatcher and the grouping app on a real broker and a real schema registry: what unit
 * tests cannot show (exactly-once transactions, the repartition topic, registry serdes, restarts
 * of real clients).
 */
class ProcessorsIntegrationTest {

    private static final TopicCatalog CATALOG = TopicCatalog.defaults();
    // A fresh broker per test: the dispatcher counts what earlier tests left on the topics.
    @RegisterExtension
    final PipelineFixture pipeline = PipelineFixture.extension(CATALOG);

    @TempDir
    Path stateDir;

    private ProcessorsConfig config(Map<String, String> extra) {
        return ProcessorsFixture.config(pipeline, stateDir, extra);
    }

    @Test
    void dispatcherStopsAtTheInFlightCapAndRemembersItAcrossARestart() throws InterruptedException {
        pipeline.sendAll(Topic.PROMPTS, Prompt::getPromptId, List.of(
                Prompt.newBuilder().setPromptId("p1").setText("1+1").setCreatedAt(Instant.now()).build(),
                Prompt.newBuilder().setPromptId("p2").setText("2+2").setCreatedAt(Instant.now()).build()));
        ProcessorsConfig config = config(Map.of("dispatch.max-in-flight-groups", "3", "group.size", "2"));

        Dispatcher first = new Dispatcher(config, null);
        Thread thread = new Thread(first, "dispatcher-1");
        thread.start();
        ProcessorsFixture.await(() -> first.snapshot().dispatched() == 3, Duration.ofSeconds(30), "3 groups are dispatched");
        Thread.sleep(1_000); // time to overshoot, if it would
        first.stop();
        thread.join(10_000);
        assertFalse(thread.isAlive());
        assertEquals(3, first.snapshot().dispatched());

        List<PromptDispatch> sent = pipeline.readValues(Topic.PROMPT_DISPATCH, PromptDispatch.class, 4,
                Duration.ofSeconds(5));
        assertEquals(3, sent.size(), "no more than the cap on the topic");
        assertEquals(3, sent.stream().map(PromptDispatch::getGroupId).distinct().count());

        // a restarted dispatcher reads the 3 uncompleted groups back and dispatches nothing
        Dispatcher second = new Dispatcher(config, null);
        Thread thread2 = new Thread(second, "dispatcher-2");
        thread2.start();
        ProcessorsFixture.await(() -> second.snapshot().inFlight() == 3, Duration.ofSeconds(30), "the restart sees 3 in flight");
        Thread.sleep(1_000);
        assertEquals(3, second.snapshot().dispatched());
        second.stop();
        thread2.join(10_000);
    }

    @Test
    void groupingAppTurnsRolloutsAndRewardsIntoOneCommittedBatch() {
        // Written for rollouts on their own topic and rewards without summaries (GroupingCrashIT runs the default).
        ProcessorsConfig config = config(Map.of("processors.application.id", "grouping-it", "batch.groups", "2",
                ProcessorsConfig.ROLLOUTS_SOURCE, "rollouts-topic"));
        List<Rollout> rollouts = new ArrayList<>();
        List<Reward> rewards = new ArrayList<>();
        for (String group : List.of("it-a", "it-b")) {
            for (int i = 0; i < 2; i++) {
                rollouts.add(Rollout.newBuilder().setRolloutId(group + "/" + i).setGroupId(group).setPromptId("p1")
                        .setSampleIndex(i).setGroupSize(2).setPromptTokenIds(List.of(1, 2))
                        .setResponseTokenIds(List.of(3)).setBehaviourLogprobs(List.of(-0.1f)).setResponseText("2")
                        .setPolicyVersion(0).setFinishReason(FinishReason.STOP).setStatus(SampleStatus.OK)
                        .setGeneratedAt(Instant.now()).build());
                rewards.add(Reward.newBuilder().setRolloutId(group + "/" + i).setGroupId(group).setPromptId("p1")
                        .setScore(i).setStatus(SampleStatus.OK).setVerifier("it").setScoredAt(Instant.now()).build());
            }
        }
        try (GroupingApp app = new GroupingApp(config)) {
            app.start();
            pipeline.sendAll(Topic.ROLLOUTS, Rollout::getGroupId, rollouts);
            pipeline.sendAll(Topic.REWARDS, Reward::getGroupId, rewards);
            List<TrainingBatchGroup> batch = pipeline.readValues(Topic.TRAINING_BATCHES, TrainingBatchGroup.class, 2,
                    Duration.ofSeconds(60));
            assertEquals(2, batch.size());
            assertEquals(List.of("grouping-it-0", "grouping-it-0"),
                    batch.stream().map(TrainingBatchGroup::getBatchId).toList());
            assertEquals(List.of(0, 1), batch.stream().map(TrainingBatchGroup::getGroupIndex).toList());
            // rewards [0, 1]: mean 0.5, sample std sqrt(0.5) = 0.70711 -> A = ∓0.70711
            assertEquals(-0.70711f, batch.get(0).getSamples().get(0).getAdvantage(), 1e-5f);
            assertEquals(0.70711f, batch.get(0).getSamples().get(1).getAdvantage(), 1e-5f);
        }
    }
}
