package io.rlstream.reward.stream;

import io.rlstream.events.Rollout;
import io.rlstream.rollouts.RolloutCheck;
import io.rlstream.rollouts.RolloutSummaries;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Decodes rl.rollouts records inside the topology (as {@link DecodeProcessor} does), checks each
 * rollout as every reader of rl.rollouts does ({@link RolloutCheck}) and summarises it with its
 * position, which only this step sees: the prompt join after it does not pass record metadata on
 * (issue 18: the grouping app takes the rollout from its reward). A rollout that cannot be placed
 * in a group is a dead letter and gets no reward; an unusable one (logprobs that do not match its
 * tokens, malformed packed bytes) is a dead letter AND goes on as FAILED, so that its reward is
 * FAILED, never a zero score (docs/architecture.md#rules-every-service-keeps, rules 2 and 3).
 */
final class RolloutDecoder implements Processor<String, byte[], String, Decoded<PlacedRollout>> {

    private final DecodeProcessor<Rollout> decoder;
    private ProcessorContext<String, Decoded<PlacedRollout>> context;

    RolloutDecoder(Deserializer<Rollout> deserializer, String service, Runnable onDeadLetter) {
        this.decoder = new DecodeProcessor<>(deserializer, Rollout.class, RewardTopology::invalidRollout, service,
                onDeadLetter);
    }

    @Override
    public void init(ProcessorContext<String, Decoded<PlacedRollout>> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        Decoded<Rollout> decoded = decoder.decode(record, meta);
        if (decoded.isDead()) {
            context.forward(record.withValue(Decoded.dead(decoded.deadLetter())));
            return;
        }
        Rollout rollout = decoded.value();
        String unplaceable = RolloutCheck.unplaceable(record.key(), rollout);
        if (unplaceable != null) {
            context.forward(record.withValue(Decoded.dead(decoder.deadLetter(record, meta, unplaceable, null)
                    .deadLetter())));
            return;
        }
        Rollout usable = RolloutCheck.demoteIfUnusable(rollout);
        String unusable = usable == rollout ? null : usable.getError();
        if (unusable != null) {
            context.forward(record.withValue(Decoded.dead(decoder.deadLetter(record, meta, unusable, null)
                    .deadLetter())));
        }
        context.forward(record.withValue(Decoded.ok(new PlacedRollout(usable,
                RolloutSummaries.of(usable, meta.partition(), meta.offset()), unusable))));
    }
}
