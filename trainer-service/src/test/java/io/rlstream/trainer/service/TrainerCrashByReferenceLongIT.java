package io.rlstream.trainer.service;

import io.rlstream.schemas.TopicCatalog;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TrainerCrashIT} with batches written by reference (processors batch.tokens=reference): the
 * trainer fetches every batch's tokens from rl.rollouts, is killed with SIGKILL mid-run, and the
 * restarted one still trains each of the 40 batches exactly once with the optimizer state restored.
 * Resolution is a pure function of the batch and rl.rollouts, so nothing about the offsets or the
 * checkpoints changes. A *LongIT (about as long as TrainerCrashIT): run by name,
 * {@code mvn -pl trainer-service -am test -Dtest=TrainerCrashByReferenceLongIT -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class TrainerCrashByReferenceLongIT {

    @Test
    void aHardKilledTrainerOfReferenceBatchesResumesAndTrainsEachBatchExactlyOnce(@TempDir Path dir) throws Exception {
        TrainerCrashIT.killAndResume(dir, new TopicCatalog("crashref.", 2), true);
    }
}
