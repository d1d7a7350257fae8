package io.rlstream.processors.config;

import io.rlstream.schemas.Topic;
import java.util.List;

/**
 * Where the grouping app takes each rollout from ({@code grouping.rollouts.source}). Either way it
 * reads a kept group's tokens back from rl.rollouts by position when it writes the batch.
 */
public enum RolloutsSource {
    /**
     * From the rewards: the summary and position the reward service (since issue 18's rollout
     * summaries) writes into every reward it makes from a rollout ({@code Reward.rollout}). The app
     * reads rl.rewards only, so no rollout is decompressed and decoded whole to group it. A
     * verifier's reward without a summary is a dead letter; user-feedback rewards merge as before.
     */
    REWARDS,
    /**
     * From rl.rollouts itself, as before issue 18's summaries: needed when rewards carry no summary
     * (a feedback-only deployment, reward.score-rollouts = false; a reward service older than the
     * processors; rewards it wrote before its upgrade that are not yet grouped).
     */
    ROLLOUTS_TOPIC;

    /** The configured source. */
    public static RolloutsSource from(ProcessorsConfig config) {
        return config.getEnum(ProcessorsConfig.ROLLOUTS_SOURCE, RolloutsSource.class);
    }

    /** The topics the grouping app subscribes to (besides rl.checkpoints, with a staleness bound). */
    public List<Topic> inputs() {
        return this == REWARDS ? List.of(Topic.REWARDS) : List.of(Topic.ROLLOUTS, Topic.REWARDS);
    }
}
