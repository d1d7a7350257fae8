package io.rlstream.trainer.service;

import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.schemas.Topic;
import io.rlstream.testkit.PipelineFixture;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What the trainer's broker tests start from: a demo policy folder, the trainer's settings, batches sent. */
final class TrainerFixtures {

    private TrainerFixtures() {
    }

    /** The demo policy (seed 1) saved under {@code dir/base}. */
    static Path basePolicy(Path dir) {
        Path base = dir.resolve("base");
        try (Policy policy = Policy.create(PolicyConfig.demo(), 1)) {
            policy.save(base, Map.of("origin", "test"));
        }
        return base;
    }

    /** The pipeline's service settings with checkpoints under {@code dir} and {@code base} as the initial policy. */
    static Map<String, Object> settings(PipelineFixture pipeline, Path dir, Path base) {
        Map<String, Object> settings = pipeline.serviceSettings();
        settings.put(TrainerServiceConfig.CHECKPOINT_DIR, dir.resolve("checkpoints").toString());
        settings.put(TrainerServiceConfig.INIT, base.toString());
        return settings;
    }

    static void send(PipelineFixture pipeline, List<TrainingBatchGroup> batch) {
        pipeline.sendAll(Topic.TRAINING_BATCHES, TrainingBatchGroup::getBatchId, batch);
    }
}
