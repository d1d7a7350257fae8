package io.rlstream.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.rlstream.trainer.checkpoint.TinyPolicySteps.SMALL;
import static io.rlstream.trainer.checkpoint.TinyPolicySteps.TOKENIZER;
import static io.rlstream.trainer.checkpoint.TinyPolicySteps.step;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.rlstream.model.Policy;
import io.rlstream.model.folder.ModelFolder;
import io.rlstream.model.PolicyConfig;
import io.rlstream.trainer.core.AdamW;
import io.rlstream.trainer.core.LearningRateSchedule;
import io.rlstream.trainer.core.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

    private static TrainerState state(long version) {
        return new TrainerState("demo", version, version,
                List.of(new TrainerState.Position("rl.training-batches", 0, 10 * version)), Map.of("loss", 0.5), 1000L);
    }

    @Test
    void writesCompleteCheckpointsReadsTheNewestBackAndPrunes(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir);
        assertTrue(store.latest().isEmpty());
        List<int[]> prompts = List.of(TOKENIZER.encodePrompt("12+34="));
        try (Policy policy = Policy.create(PolicyConfig.demo(), 1)) {
            for (long v = 0; v < 4; v++) {
                store.write(policy, state(v), Map.of("version", Long.toString(v)));
            }
            Path newest = store.latest().orElseThrow();
            assertEquals(dir.resolve("v000003"), newest);
            TrainerState state = CheckpointStore.readState(newest);
            assertEquals(3, state.version());
            assertEquals(30, state.offsets().get(0).offset());
            try (Policy loaded = Policy.load(newest)) {
                assertArrayEquals(policy.greedy(prompts, 4).get(0).tokens(), loaded.greedy(prompts, 4).get(0).tokens());
            }
            store.prune(2);
            assertEquals(List.of(2L, 3L), store.versions());
            // written without an optimizer: nothing to resume Adam from, no config
            assertTrue(CheckpointStore.optimizerFile(newest).isEmpty());
            assertEquals(Map.of(), CheckpointStore.readConfig(newest));
        }
    }

    @Test
    void aCheckpointHoldsThePolicyTheStateTheOptimizerAndTheConfig(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir);
        try (Policy policy = Policy.create(SMALL, 2)) {
            AdamW optimizer = AdamW.of(TrainerConfig.defaults(), null);
            step(policy, optimizer, 1e-3f);
            Path folder = store.write(policy, state(1), Map.of("policy_name", "demo", "version", "1"), optimizer,
                    Map.of("trainer", TrainerConfig.defaults(), "checkpoints_keep", 5));

            assertEquals(dir.resolve("v000001"), folder);
            try (Stream<Path> files = Files.list(folder)) {
                // a Hugging Face model folder (config, weights, generation config, tokenizer) plus
                // the policy's metadata and the trainer's three files
                assertEquals(List.of("config.json", "generation_config.json", "metadata.json", "model.safetensors",
                                "optimizer.safetensors", "tokenizer.json", "tokenizer_config.json",
                                "trainer-config.json", "trainer-state.json"),
                        files.map(p -> p.getFileName().toString()).sorted().toList());
            }
            // the config comes back as plain JSON values: records become objects, enums names
            Map<String, Object> config = CheckpointStore.readConfig(folder);
            assertEquals(5, config.get("checkpoints_keep"));
            Map<?, ?> trainer = (Map<?, ?>) config.get("trainer");
            assertEquals(1e-4, trainer.get("learningRate"));
            assertEquals(300, trainer.get("decaySteps"));
            assertEquals("TOKEN_MEAN", trainer.get("aggregation"));
            assertEquals("1", CheckpointStore.readPolicyMetadata(folder).get("version"));
            assertEquals(SMALL.embedDim(), ModelFolder.open(folder).config().hiddenSize());

            AdamW restored = AdamW.of(TrainerConfig.defaults(), null);
            try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
                restored.load(CheckpointStore.optimizerFile(folder).orElseThrow(), manager);
                assertEquals(1, restored.steps());
                assertEquals(optimizer.parameterNames(), restored.parameterNames());
            }
        }
    }

    @Test
    void aTrainerResumedFromACheckpointTakesTheSameNextStepAsOneThatNeverStopped(@TempDir Path dir) {
        // Policy, Adam moments and the schedule's step all come back: the next update is identical,
        // bit for bit. Without the optimizer state a restarted Adam takes a full-size first step.
        CheckpointStore store = new CheckpointStore(dir);
        LearningRateSchedule schedule = new LearningRateSchedule(1e-2, 2, 10, 0.1);
        try (Policy running = Policy.create(SMALL, 4)) {
            AdamW optimizer = AdamW.of(TrainerConfig.defaults(), running.model().getNDManager());
            for (int i = 0; i < 3; i++) {
                step(running, optimizer, (float) schedule.at(optimizer.steps()));
            }
            Path folder = store.write(running, state(3), Map.of(), optimizer, Map.of("schedule", schedule.toString()));
            step(running, optimizer, (float) schedule.at(optimizer.steps()));

            try (Policy resumed = Policy.load(folder)) {
                AdamW restored = AdamW.of(TrainerConfig.defaults(), resumed.model().getNDManager());
                restored.load(CheckpointStore.optimizerFile(folder).orElseThrow(), resumed.model().getNDManager());
                assertEquals(3, restored.steps());
                step(resumed, restored, (float) schedule.at(restored.steps()));
                for (Pair<String, Parameter> p : running.parameters()) {
                    assertArrayEquals(p.getValue().getArray().toFloatArray(),
                            resumed.parameters().get(p.getKey()).getArray().toFloatArray(), 0f, p.getKey());
                }
            }
            try (Policy restartedFresh = Policy.load(folder)) {
                AdamW fresh = AdamW.of(TrainerConfig.defaults(), restartedFresh.model().getNDManager());
                step(restartedFresh, fresh, (float) schedule.at(3));
                String name = running.parameters().get(0).getKey();
                float[] expected = running.parameters().get(name).getArray().toFloatArray();
                float[] actual = restartedFresh.parameters().get(name).getArray().toFloatArray();
                double largest = 0;
                for (int i = 0; i < expected.length; i++) {
                    largest = Math.max(largest, Math.abs(expected[i] - actual[i]));
                }
                assertTrue(largest > 1e-4, "a fresh Adam should step differently, largest difference " + largest);
            }
        }
    }

    @Test
    void aLeftOverTemporaryFolderFromACrashIsNotACheckpointAndIsCleanedUp(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve(".tmp-v000009-123"));
        Files.writeString(dir.resolve(".tmp-v000009-123").resolve("model.safetensors"), "partial");
        CheckpointStore store = new CheckpointStore(dir);
        assertTrue(store.latest().isEmpty());
        assertFalse(Files.exists(dir.resolve(".tmp-v000009-123")));
    }

    @Test
    void theNewestCompleteCheckpointWinsOverACrashedNewerWrite(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir);
        try (Policy policy = Policy.create(SMALL, 5)) {
            AdamW optimizer = AdamW.of(TrainerConfig.defaults(), null);
            for (long v = 1; v <= 2; v++) {
                step(policy, optimizer, 1e-3f);
                store.write(policy, state(v), Map.of(), optimizer, Map.of());
            }
        }
        // The trainer died while writing version 3: its temporary folder has some of the files.
        Path crashed = dir.resolve(".tmp-v000003-987654321");
        Files.createDirectories(crashed);
        Files.writeString(crashed.resolve("model.safetensors"), "partial");
        Files.copy(dir.resolve("v000002").resolve(CheckpointStore.STATE_FILE), crashed.resolve(CheckpointStore.STATE_FILE));
        // And someone copied a folder by hand without its state: not a checkpoint to resume from.
        Files.createDirectories(dir.resolve("v000004"));
        Files.copy(dir.resolve("v000002").resolve("model.safetensors"), dir.resolve("v000004").resolve("model.safetensors"));

        assertEquals(List.of(1L, 2L, 4L), store.versions());
        assertEquals(dir.resolve("v000002"), store.latest().orElseThrow());
        assertEquals(List.of(crashed), CheckpointStore.temporaryFolders(dir));

        CheckpointStore restarted = new CheckpointStore(dir);
        assertFalse(Files.exists(crashed));
        assertEquals(dir.resolve("v000002"), restarted.latest().orElseThrow());
        assertEquals(2, CheckpointStore.readState(restarted.latest().orElseThrow()).version());
        // and pruning counts only complete checkpoints: the one to resume from stays
        restarted.prune(1);
        assertEquals(List.of(2L, 4L), restarted.versions());
    }

    @Test
    void aWriteThatFailsLeavesNeitherACheckpointNorATemporaryFolder(@TempDir Path dir) {
        CheckpointStore store = new CheckpointStore(dir);
        try (Policy policy = Policy.create(SMALL, 6)) {
            AdamW optimizer = AdamW.of(TrainerConfig.defaults(), null);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> store.write(policy, state(1), Map.of(), optimizer, Map.of("not json", new Object())));
            assertTrue(e.getMessage().contains("cannot be written as JSON"), e.getMessage());
            // a blank metadata key is refused by Policy.save
            assertThrows(IllegalArgumentException.class,
                    () -> store.write(policy, state(1), Map.of(" ", "9"), optimizer, Map.of()));
            assertEquals(List.of(), store.versions());
            assertEquals(List.of(), CheckpointStore.temporaryFolders(dir));

            store.write(policy, state(1), Map.of(), optimizer, Map.of());
            IllegalStateException twice = assertThrows(IllegalStateException.class,
                    () -> store.write(policy, state(1), Map.of(), optimizer, Map.of()));
            assertTrue(twice.getMessage().contains("already exists"), twice.getMessage());
        }
    }

    @Test
    void pruneKeepsTheNewestAndRefusesToKeepNone(@TempDir Path dir) {
        CheckpointStore store = new CheckpointStore(dir);
        try (Policy policy = Policy.create(SMALL, 7)) {
            AdamW optimizer = AdamW.of(TrainerConfig.defaults(), null);
            for (long v = 0; v < 5; v++) {
                store.write(policy, state(v), Map.of(), optimizer, Map.of());
            }
        }
        assertThrows(IllegalArgumentException.class, () -> store.prune(0));
        store.prune(3);
        assertEquals(List.of(2L, 3L, 4L), store.versions());
        store.prune(5);
        assertEquals(List.of(2L, 3L, 4L), store.versions());
    }
}
