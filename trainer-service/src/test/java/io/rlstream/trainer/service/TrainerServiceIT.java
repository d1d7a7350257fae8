package io.rlstream.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.DeadLetter;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.events.PreferencePair;
import io.rlstream.events.Prompt;
import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import io.rlstream.trainer.checkpoint.CheckpointStore;
import io.rlstream.trainer.checkpoint.TrainerState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer on the real broker and registry: it trains each committed batch once, dead-letters
 * a record it cannot decode, checkpoints before announcing, and a restarted trainer resumes after
 * the last trained batch (no batch twice, none skipped).
 */
class TrainerServiceIT {

    private static final TopicCatalog CATALOG = new TopicCatalog("tr.", 1);

    @Test
    void trainsEachBatchOnceDeadLettersGarbageAndResumesWhereItStopped(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base");
        try (Policy policy = Policy.create(PolicyConfig.demo(), 1)) {
            policy.save(base, Map.of("origin", "test"));
        }
        try (PipelineFixture pipeline = PipelineFixture.start(CATALOG)) {
            pipeline.sendBytes(Topic.TRAINING_BATCHES, "junk", "not a batch".getBytes(StandardCharsets.UTF_8));
            for (int b = 0; b < 2; b++) {
                pipeline.sendAll(Topic.TRAINING_BATCHES, TrainingBatchGroup::getBatchId, batch("b-" + b, b));
            }
            Map<String, Object> settings = pipeline.serviceSettings();
            settings.put(TrainerServiceConfig.CHECKPOINT_DIR, dir.resolve("checkpoints").toString());
            settings.put(TrainerServiceConfig.INIT, base.toString());
            settings.put(TrainerServiceConfig.MAX_STEPS, "2");
            runToEnd(new TrainerService(new TrainerServiceConfig(settings)));

            CheckpointStore store = new CheckpointStore(dir.resolve("checkpoints"));
            TrainerState second = CheckpointStore.readState(store.latest().orElseThrow());
            assertEquals(2, second.version());
            // offsets: 0 junk, 1-2 batch b-0, 3-4 batch b-1 -> resume at 5
            assertEquals(5, second.offsets().get(0).offset());
            List<DeadLetter> dead = pipeline.readValues(Topic.DEAD_LETTERS, DeadLetter.class, 1, Duration.ofSeconds(30));
            assertEquals(0, dead.get(0).getSourceOffset());
            assertEquals("trainer", dead.get(0).getService());

            // a third batch arrives while the trainer is down; the restarted trainer trains it and only it
            pipeline.sendAll(Topic.TRAINING_BATCHES, TrainingBatchGroup::getBatchId, batch("b-2", 2));
            settings.put(TrainerServiceConfig.MAX_STEPS, "3");
            runToEnd(new TrainerService(new TrainerServiceConfig(settings)));
            TrainerState third = CheckpointStore.readState(store.latest().orElseThrow());
            assertEquals(3, third.version());
            assertEquals(3, third.step(), "exactly one more step: b-0 and b-1 were not trained again");
            assertEquals(7, third.offsets().get(0).offset());

            // announced: v0, v1, v2 by the first run; v2 again (the restart's starting point) and v3 by the second
            List<Long> versions = pipeline.readValues(Topic.CHECKPOINTS, CheckpointPublished.class, 5,
                    Duration.ofSeconds(30)).stream()
                    .map(CheckpointPublished::getVersion).toList();
            assertEquals(List.of(0L, 1L, 2L, 2L, 3L), versions);
        }
    }

    @Test
    void preferenceModeTrainsDpoOnPairsAndSftModeOnPromptsWithAnswers(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base");
        try (Policy policy = Policy.create(PolicyConfig.demo(), 1)) {
            policy.save(base, Map.of("origin", "test"));
        }
        CharTokenizer tokenizer = CharTokenizer.arithmetic();
        try (PipelineFixture pipeline = PipelineFixture.start(CATALOG)) {
            for (int i = 0; i < 4; i++) {
                pipeline.send(Topic.PREFERENCE_PAIRS, "p" + i, PreferencePair.newBuilder().setPromptId("p" + i)
                        .setGroupId("g" + i).setPromptTokenIds(ints(tokenizer.encodePrompt("12+34=")))
                        .setChosenTokenIds(ints(tokenizer.encode("46"))).setRejectedTokenIds(ints(tokenizer.encode("47")))
                        .setChosenReward(1).setRejectedReward(0).setPolicyVersion(0)
                        .setCreatedAt(Instant.EPOCH).build());
                pipeline.send(Topic.PROMPTS, "q" + i, Prompt.newBuilder().setPromptId("q" + i).setText("1" + i + "+1=")
                        .setReferenceAnswer("1" + (i + 1)).setCreatedAt(Instant.EPOCH).build());
            }
            for (String mode : List.of("preference", "sft")) {
                Map<String, Object> settings = pipeline.serviceSettings();
                settings.put(TrainerServiceConfig.MODE, mode);
                settings.put(TrainerServiceConfig.CHECKPOINT_DIR, dir.resolve(mode).toString());
                settings.put(TrainerServiceConfig.INIT, base.toString());
                settings.put(TrainerServiceConfig.PAIRS_PER_STEP, "2");
                settings.put(TrainerServiceConfig.SFT_PROMPTS_PER_STEP, "2");
                settings.put(TrainerServiceConfig.MAX_STEPS, "2");
                runToEnd(new TrainerService(new TrainerServiceConfig(settings)));
                TrainerState last = CheckpointStore.readState(new CheckpointStore(dir.resolve(mode)).latest().orElseThrow());
                assertEquals(2, last.version(), mode);
                // 4 records, 2 per step: the second step trained records 2..3 and the next to read is 4
                assertEquals(4, last.offsets().get(0).offset(), mode);
                assertEquals(List.of((mode.equals("sft") ? "prompts" : "pairs") + "@2..3"), last.batchIds(), mode);
                if (mode.equals("preference")) {
                    // DPO against the initial policy: the first step starts at log 2; after it the
                    // chosen answer gained on the rejected one (margin > 0, accuracy 1).
                    assertEquals(1.0, last.metrics().get("reward_accuracy"), 0.0, last.metrics().toString());
                    assertTrue(last.metrics().get("loss") < Math.log(2), last.metrics().toString());
                } else {
                    assertTrue(last.metrics().get("loss") > 0, last.metrics().toString());
                }
            }
        }
    }

    private static List<Integer> ints(int[] tokens) {
        return Arrays.stream(tokens).boxed().toList();
    }

    private static void runToEnd(TrainerService trainer) throws InterruptedException {
        Thread t = new Thread(trainer, "trainer-under-test");
        t.start();
        t.join(120_000);
        assertFalse(t.isAlive(), "the trainer stops after trainer.max.steps");
    }

    private static List<TrainingBatchGroup> batch(String id, long sequence) {
        return TestBatches.batch(id, sequence);
    }
}
