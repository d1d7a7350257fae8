package io.rlstream.trainer.checkpoint;

import java.util.List;
import java.util.Map;

/**
 * What a checkpoint records besides the weights: the policy version and step, the positions
 * consumed up to it, so that a restarted trainer seeks there and trains no batch twice and none
 * not at all (docs/architecture.md#rules-every-service-keeps, rule 4), and which batches the step that made these weights trained.
 *
 * @param batchIds the batch ids trained in the last step (for pairs and prompts: their first and
 *                 last record positions); empty for version 0
 */
public record TrainerState(String policyName, long version, long step, List<Position> offsets,
        Map<String, Double> metrics, long createdAtMillis, List<String> batchIds) {

    public TrainerState {
        // State files written before batch ids were recorded have none.
        batchIds = batchIds == null ? List.of() : List.copyOf(batchIds);
    }

    public TrainerState(String policyName, long version, long step, List<Position> offsets,
            Map<String, Double> metrics, long createdAtMillis) {
        this(policyName, version, step, offsets, metrics, createdAtMillis, List.of());
    }

    /** Next offset to read in one partition. */
    public record Position(String topic, int partition, long offset) {
    }
}
