package io.rlstream.producers.rollouts;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Rollout;
import java.util.List;

/**
 * What turns a poll's dispatched groups into rollouts for the worker (generate.backend): in process
 * ({@link LocalGenerator}) or through an inference server ({@link HttpGenerator}). Called from the
 * worker's one loop thread, weights are changed between generations, never during one.
 */
interface RolloutGenerator extends AutoCloseable {

    /** The G rollouts of every dispatch, in dispatch order; a group that cannot be generated is G FAILED rollouts with the reason. */
    List<Rollout> generate(List<PromptDispatch> dispatches) throws InterruptedException;

    /** Loads a newly announced checkpoint; after a failure the generator keeps serving its old version. */
    WeightSync load(CheckpointPublished checkpoint) throws InterruptedException;

    /** The policy version this generator serves now (the last checkpoint it loaded). */
    long servedVersion();

    @Override
    void close();

    /**
     * How loading a checkpoint went.
     *
     * @param remote true when an inference server loaded it (metrics and log say how it went)
     * @param failure null on success, else why the server still serves its old version
     */
    record WeightSync(boolean remote, double seconds, String failure) {

        boolean ok() {
            return failure == null;
        }
    }
}
