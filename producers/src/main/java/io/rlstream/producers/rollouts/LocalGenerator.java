package io.rlstream.producers.rollouts;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Rollout;
import io.rlstream.model.Policy;
import java.nio.file.Path;
import java.util.List;

/**
 * generate.backend = local: the checkpoint's weights in this process, sampled by {@link GroupSampler}.
 * A new checkpoint is checked whole ({@link CheckpointCheck}) before it overwrites the weights.
 */
final class LocalGenerator implements RolloutGenerator {

    private final Policy policy;
    private final GroupSampler sampler;
    private final CheckpointCheck check;
    private Path loadedDir;
    private long version;

    /** @throws IllegalArgumentException when {@code first} does not load or has non-finite weights */
    LocalGenerator(CheckpointPublished first, GroupSampler sampler) {
        Path dir = CheckpointCheck.folder(first);
        Policy p = Policy.load(dir);
        String nonFinite = CheckpointCheck.nonFinite(p);
        if (nonFinite != null) {
            p.close();
            throw new IllegalArgumentException(dir + ": non-finite weight in " + nonFinite);
        }
        this.policy = p;
        this.check = CheckpointCheck.of(p);
        this.sampler = sampler;
        this.loadedDir = dir;
        this.version = first.getVersion();
    }

    @Override
    public List<Rollout> generate(List<PromptDispatch> dispatches) {
        return sampler.sample(policy, version, dispatches);
    }

    @Override
    public WeightSync load(CheckpointPublished checkpoint) {
        long start = System.nanoTime();
        Path dir = check.verify(checkpoint);
        try {
            policy.loadWeights(dir);
        } catch (RuntimeException e) {
            // the folder changed under us after the check: put the last good weights back
            try {
                policy.loadWeights(loadedDir);
            } catch (RuntimeException restore) {
                restore.addSuppressed(e);
                throw new IllegalStateException("loading " + dir + " failed half-way and the last good weights of "
                        + loadedDir + " do not load again: " + restore.getMessage(), restore);
            }
            throw new IllegalArgumentException("cannot load " + dir + ": " + e.getMessage(), e);
        }
        loadedDir = dir;
        version = checkpoint.getVersion();
        return new WeightSync(false, (System.nanoTime() - start) / 1e9, null);
    }

    @Override
    public long servedVersion() {
        return version;
    }

    @Override
    public void close() {
        policy.close();
    }
}
