package io.rlstream.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import io.rlstream.trainer.checkpoint.CheckpointStore;
import io.rlstream.trainer.core.LearningRateSchedule;
import io.rlstream.trainer.core.TrainerConfig;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once under a hard kill: the trainer runs in its own JVM (the {@code TrainerService} main
 * a deployment runs), is killed with SIGKILL while it trains, and a new process takes over from the
 * newest complete checkpoint. Every CheckpointPublished names the batch its step trained, so the
 * announcements prove it: versions 1..N each trained exactly one batch, batch b-(v−1), none twice
 * and none skipped; and the learning-rate schedule went on from where the optimizer state says.
 */
class TrainerCrashIT {

    private static final TopicCatalog CATALOG = new TopicCatalog("crash.", 1);
    private static final int BATCHES = 40;

    @Test
    void aHardKilledTrainerResumesFromItsNewestCheckpointAndTrainsEachBatchExactlyOnce(@TempDir Path dir)
            throws Exception {
        killAndResume(dir, CATALOG, false);
    }

    /**
     * The kill and the restart over 40 batches, written inline or by reference (each batch's
     * rollouts on rl.rollouts, the records carrying their positions: TrainerCrashByReferenceLongIT).
     */
    static void killAndResume(Path dir, TopicCatalog catalog, boolean byReference) throws Exception {
        Path base = dir.resolve("base");
        try (Policy policy = Policy.create(PolicyConfig.demo(), 1)) {
            policy.save(base, Map.of("origin", "test"));
        }
        try (PipelineFixture pipeline = PipelineFixture.start(catalog)) {
            List<TrainingBatchGroup> batches = new ArrayList<>();
            for (int b = 0; b < BATCHES; b++) {
                List<TrainingBatchGroup> inline = batch("b-" + b, b);
                batches.addAll(byReference ? ReferenceBatchesIT.byReference(inline,
                        ReferenceBatchesIT.writeRollouts(pipeline, catalog, inline)) : inline);
            }
            pipeline.sendAll(Topic.TRAINING_BATCHES, TrainingBatchGroup::getBatchId, batches);
            Path config = dir.resolve("trainer.properties");
            Properties p = new Properties();
            p.putAll(pipeline.serviceSettings());
            p.put(TrainerServiceConfig.CHECKPOINT_DIR, dir.resolve("checkpoints").toString());
            p.put(TrainerServiceConfig.INIT, base.toString());
            p.put(TrainerServiceConfig.MAX_STEPS, Integer.toString(BATCHES));
            try (Writer w = Files.newBufferedWriter(config)) {
                p.store(w, "TrainerCrashIT");
            }

            Process first = start(config, dir.resolve("first.log"));
            pipeline.await(Topic.CHECKPOINTS, CheckpointPublished.class, c -> c.getVersion() >= 6,
                    Duration.ofSeconds(120));
            first.destroyForcibly().waitFor();
            long killedAfter = CheckpointStore.readState(new CheckpointStore(dir.resolve("checkpoints")).latest()
                    .orElseThrow()).version();
            assertTrue(killedAfter < BATCHES, "the kill must come mid-run; all " + BATCHES + " were trained already");

            Process second = start(config, dir.resolve("second.log"));
            assertTrue(second.waitFor(180, java.util.concurrent.TimeUnit.SECONDS), "the restarted trainer finishes");
            assertEquals(0, second.exitValue());

            List<CheckpointPublished> announced = pipeline.readToEnd(Topic.CHECKPOINTS, CheckpointPublished.class);
            Map<Long, List<String>> trainedBy = new TreeMap<>();
            for (CheckpointPublished c : announced) {
                List<String> ids = List.copyOf(c.getBatchIds());
                List<String> earlier = trainedBy.putIfAbsent(c.getVersion(), ids);
                // A version may be announced twice (the restart re-announces where it starts), never with other batches.
                assertTrue(earlier == null || earlier.equals(ids), "version " + c.getVersion() + " announced with "
                        + earlier + " and " + ids);
            }
            assertEquals(BATCHES + 1, trainedBy.size(), "versions 0.." + BATCHES + ", killed after v" + killedAfter);
            for (long v = 1; v <= BATCHES; v++) {
                assertEquals(List.of("b-" + (v - 1)), trainedBy.get(v), "version " + v);
            }
            CheckpointPublished last = announced.get(announced.size() - 1);
            assertEquals(BATCHES, last.getVersion());
            assertEquals(2L * BATCHES, last.getOffsets().get(0).getOffset(), "two records per batch, all consumed");
            // The optimizer state came back with the weights: the last step's learning rate is the
            // schedule's at optimizer step 2 * 39 (two updates per batch), not at a restarted count.
            TrainerConfig recipe = TrainerConfig.defaults();
            double expected = new LearningRateSchedule(recipe.learningRate(), recipe.warmupSteps(), recipe.decaySteps(),
                    0.1).at((long) recipe.updatesPerBatch() * (BATCHES - 1));
            assertEquals(expected, last.getMetrics().get("learning_rate"), 1e-9);
        }
    }

    private static Process start(Path config, Path log) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Dai.djl.offline=true", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.rlstream.events",
                TrainerService.class.getName(), config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return p;
    }

    private static List<TrainingBatchGroup> batch(String id, long sequence) {
        return TestBatches.batch(id, sequence);
    }
}
