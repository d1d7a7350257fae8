package io.rlstream.trainer.checkpoint;

import java.util.List;
import java.util.Map;

/**
 * What a checkpoint records besides the weights: the policy version and step, and the positions
 * in rl.training-batches consumed up to it, so that a restarted trainer seeks there and trains no
 * batch twice and none not at all (ARCHITECTURE rule 4).
 */
public record TrainerState(String policyName, long version, long step, List<Position> offsets,
        Map<String, Double> metrics, long createdAtMillis) {

    /** Next offset to read in one partition. */
    public record Position(String topic, int partition, long offset) {
    }
}
