package io.rlstream.trainer.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.model.CharTokenizer;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

    @Test
    void writesCompleteCheckpointsReadsTheNewestBackAndPrunes(@TempDir Path dir) throws Exception {
        CheckpointStore store = new CheckpointStore(dir);
        assertTrue(store.latest().isEmpty());
        CharTokenizer tok = CharTokenizer.arithmetic();
        List<int[]> prompts = List.of(tok.encodePrompt("12+34="));
        try (Policy policy = Policy.create(PolicyConfig.demo(), 1)) {
            for (long v = 0; v < 4; v++) {
                store.write(policy, new TrainerState("demo", v, v, List.of(new TrainerState.Position("rl.training-batches", 0, 10 * v)),
                        Map.of("loss", 0.5), 1000L), Map.of("version", Long.toString(v)));
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
}
