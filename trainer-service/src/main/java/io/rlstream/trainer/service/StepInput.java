package io.rlstream.trainer.service;

import io.rlstream.monitoring.metrics.MetricName;
import io.rlstream.trainer.core.PolicyTrainer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;

/**
 * Gathers the records of one input topic into the units a training step consumes: a whole batch
 * (rl mode), a number of preference pairs (preference mode) or of prompts (sft mode).
 */
interface StepInput {

    /** The event class the input topic carries (its serde decodes the records). */
    Class<? extends SpecificRecord> eventType();

    /** Adds one decoded record; returns a step once a whole unit is in. */
    Optional<Step> add(SpecificRecord event, long offset);

    /**
     * A step ready to train.
     *
     * @param ids   what it trains, for the checkpoint (batch ids, or record positions)
     * @param train runs the step on the trainer and returns its metrics
     */
    record Step(List<String> ids, Function<PolicyTrainer, Map<MetricName, Double>> train) {
    }
}
