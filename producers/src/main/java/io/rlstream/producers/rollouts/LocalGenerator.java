package io.rlstream.producers.rollouts;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Rollout;
import io.rlstream.model.Policy;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/** generate.backend = local: the checkpoint's weights in this process, sampled by {@link GroupSampler}. */
final class LocalGenerator implements RolloutGenerator {

    private final Policy policy;
    private final GroupSampler sampler;
    private long version;

    LocalGenerator(CheckpointPublished first, GroupSampler sampler) {
        this.policy = Policy.load(Path.of(URI.create(first.getUri())));
        this.sampler = sampler;
        this.version = first.getVersion();
    }

    @Override
    public List<Rollout> generate(List<PromptDispatch> dispatches) {
        return sampler.sample(policy, version, dispatches);
    }

    @Override
    public WeightSync load(CheckpointPublished checkpoint) {
        long start = System.nanoTime();
        policy.loadWeights(Path.of(URI.create(checkpoint.getUri())));
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
