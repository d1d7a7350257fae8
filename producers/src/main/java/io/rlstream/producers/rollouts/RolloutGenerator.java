package io.rlstream.producers.rollouts;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Rollout;
import java.util.List;

/**
 * What turns a poll's dispatched groups into rollouts for the worker (generate.backend): in process
 * ({@link LocalGenerator}) or through an inference server ({@link HttpGenerator}). Called from the
 * worker's one loop thread, weights are changed between generations, never during one. Public for
 * the generator benchmark ({@code rlstream bench generator}), which drives both without Kafka.
 */
public interface RolloutGenerator extends AutoCloseable {

    /**
     * The generator of {@code config}'s generate.backend serving {@code first}: local loads its
     * weights; an http backend reads the folder's tokenizer and config and takes it that the server
     * serves {@code first} already (call {@link #load} to make it).
     */
    static RolloutGenerator open(WorkerConfig config, CheckpointPublished first) {
        if (config.backend() == GenerateBackend.LOCAL) {
            return new LocalGenerator(first, new GroupSampler(config.getString(WorkerConfig.WORKER_ID),
                    config.getLong(WorkerConfig.SEED), config.chatTemplateUse(), config.enableThinking()));
        }
        return HttpGenerator.open(config, CheckpointCheck.folder(first), first.getVersion());
    }

    /** The G rollouts of every dispatch, in dispatch order; a group that cannot be generated is G FAILED rollouts with the reason. */
    List<Rollout> generate(List<PromptDispatch> dispatches) throws InterruptedException;

    /**
     * Loads a newly announced checkpoint; after a failure the generator keeps serving its old version.
     *
     * @throws IllegalArgumentException when the checkpoint itself is bad ({@link CheckpointCheck}:
     *     missing folder, other network, truncated or missing tensors, non-finite weights); nothing
     *     was loaded
     * @throws IllegalStateException when the generator cannot serve any weights any more
     */
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

        public boolean ok() {
            return failure == null;
        }
    }
}
