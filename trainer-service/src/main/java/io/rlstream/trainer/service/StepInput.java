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
     * A step ready to train, or a unit refused whole.
     *
     * @param ids     what it trains, for the checkpoint (batch ids, or record positions)
     * @param train   runs the step on the trainer and returns its metrics (null when refused)
     * @param offsets the offsets of the records it is made of
     * @param invalid what is wrong, by offset, for the records that made the unit invalid; empty
     *                when it can be trained
     * @param rolloutsMissing samples of a unit written by reference whose rollout was gone from
     *                rl.rollouts (then the unit is refused)
     */
    record Step(List<String> ids, Function<PolicyTrainer, Map<MetricName, Double>> train, List<Long> offsets,
            Map<Long, String> invalid, int rolloutsMissing) {

        Step(List<String> ids, Function<PolicyTrainer, Map<MetricName, Double>> train, List<Long> offsets) {
            this(ids, train, offsets, Map.of(), 0);
        }

        /** A unit not to train: every record of it becomes a dead letter. */
        static Step refused(List<String> ids, List<Long> offsets, Map<Long, String> invalid) {
            return new Step(ids, null, offsets, invalid, 0);
        }

        /** A unit not to train because {@code samples} of its rollouts are gone from rl.rollouts. */
        static Step rolloutsMissing(List<String> ids, List<Long> offsets, Map<Long, String> invalid, int samples) {
            return new Step(ids, null, offsets, invalid, samples);
        }

        boolean refused() {
            return !invalid.isEmpty();
        }
    }
}
