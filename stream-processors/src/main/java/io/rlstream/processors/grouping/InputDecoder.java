package io.rlstream.processors.grouping;

import io.rlstream.deadletter.DeadLetters;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.RolloutSummary;
import io.rlstream.events.SampleStatus;
import io.rlstream.processors.config.RolloutsSource;
import io.rlstream.processors.feedback.FeedbackMerge;
import io.rlstream.rollouts.RolloutCheck;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Decodes rollouts and rewards inside the topology, so bad input becomes a dead letter with its
 * source position and the stream keeps going (docs/architecture.md#rules-every-service-keeps, rule 3). Two kinds of bad input:
 * <ul>
 *   <li>a record that cannot be placed in a group (undecodable, tombstone, of another Avro type, no key, group_id other than the
 *       key, group_size &lt; 1, sample_index out of range, {@link RolloutCheck}; with
 *       {@code grouping.rollouts.source = rewards}, a verifier's reward without a rollout summary,
 *       or with another rollout's): a dead letter only;</li>
 *   <li>a sample that can be placed but is unusable (an OK reward with a non-finite score, an OK
 *       rollout whose logprobs do not match its tokens): a dead letter, and the sample goes on
 *       marked FAILED, so its group still completes and the bad value never reaches a baseline.</li>
 * </ul>
 */
final class InputDecoder implements Processor<String, byte[], String, Routed<SpecificRecord>> {

    private final String rolloutsTopic;
    private final RolloutsSource source;
    // Wildcards: what a deserializer returns is checked, not cast (a cast would throw on a wrong type).
    private final Deserializer<?> rollouts;
    private final Deserializer<?> rewards;
    private final String service;
    private final GroupingCounters counters;
    private ProcessorContext<String, Routed<SpecificRecord>> context;

    InputDecoder(String rolloutsTopic, RolloutsSource source, Deserializer<Rollout> rollouts,
            Deserializer<Reward> rewards, String service, GroupingCounters counters) {
        this.rolloutsTopic = rolloutsTopic;
        this.source = source;
        this.rollouts = rollouts;
        this.rewards = rewards;
        this.service = service;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, Routed<SpecificRecord>> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        boolean isRollout = meta.topic().equals(rolloutsTopic);
        String type = isRollout ? "Rollout" : "Reward";
        if (record.value() == null) {
            reject(record, meta, "record has no value (tombstone) where a " + type + " was expected", null);
            return;
        }
        // Decoded as Object and type-checked here: a registry deserializer returns the class of the
        // writer's schema, so a Reward's bytes on rl.rollouts (valid framing, another schema) decode
        // to a Reward, and a cast would throw outside this try and stop the Streams client (issue 19).
        Object decoded;
        try {
            decoded = isRollout
                    ? rollouts.deserialize(meta.topic(), record.headers(), record.value())
                    : rewards.deserialize(meta.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            reject(record, meta, "cannot decode " + record.value().length + " bytes as a " + type + ": " + e.getMessage(), e);
            return;
        }
        if (decoded == null) {
            reject(record, meta, "decoded to null where a " + type + " was expected", null);
            return;
        }
        if (!(isRollout ? decoded instanceof Rollout : decoded instanceof Reward)) {
            reject(record, meta, "decoded a " + typeName(decoded) + " where a " + type + " was expected (wrong schema on "
                    + meta.topic() + ")", null);
            return;
        }
        SpecificRecord value = (SpecificRecord) decoded;
        if (source == RolloutsSource.ROLLOUTS_TOPIC && value instanceof Reward w) {
            // The rollout comes from rl.rollouts: a summary in the reward is not used (as before it existed).
            w.setRollout(null);
        }
        String error = value instanceof Rollout r ? RolloutCheck.unplaceable(record.key(), r)
                : unplaceable(record.key(), (Reward) value, source);
        if (error != null) {
            reject(record, meta, error, null);
            return;
        }
        SpecificRecord usable = value instanceof Rollout r ? RolloutCheck.demoteIfUnusable(r)
                : demoteIfUnusable((Reward) value);
        if (usable != value) {
            counters.increment(GroupingCounters.SAMPLES_DEMOTED);
            String why = usable instanceof Rollout r ? r.getError() : ((Reward) usable).getReason();
            reject(record, meta, why, null);
        }
        context.forward(record.withValue(Routed.ok(usable)));
    }

    static String unplaceable(String key, Reward w, RolloutsSource source) {
        if (key == null) {
            return "reward of rollout " + w.getRolloutId() + " has no record key; rewards must be keyed by group_id";
        }
        if (w.getRolloutId().isEmpty()) {
            return "reward of group " + w.getGroupId() + " has an empty rollout_id";
        }
        if (!key.equals(w.getGroupId())) {
            return "reward of rollout " + w.getRolloutId() + " has group_id '" + w.getGroupId() + "' but record key '"
                    + key + "'; rewards must be keyed by their group_id";
        }
        RolloutSummary s = w.getRollout();
        if (s == null) {
            if (source == RolloutsSource.REWARDS && !FeedbackMerge.fromFeedback(w)) {
                return "reward of rollout " + w.getRolloutId() + " by verifier '" + w.getVerifier() + "' has no rollout "
                        + "summary (Reward.rollout), which grouping.rollouts.source = rewards takes the rollout from: "
                        + "it was written by a reward service older than issue 18's rollout summaries; upgrade the "
                        + "reward service, or set grouping.rollouts.source = rollouts-topic while its older rewards "
                        + "drain (docs/operations.md#upgrading-to-rollout-summaries-in-rewards-issue-18)";
            }
            return null;
        }
        if (!s.getRolloutId().equals(w.getRolloutId())) {
            return "reward of rollout " + w.getRolloutId() + " carries the summary of rollout " + s.getRolloutId();
        }
        return RolloutCheck.unplaceable(s.getRolloutId(), s.getGroupSize(), s.getSampleIndex());
    }

    static Reward demoteIfUnusable(Reward w) {
        if (w.getStatus() == SampleStatus.OK && !Double.isFinite(w.getScore())) {
            return Reward.newBuilder(w).setStatus(SampleStatus.FAILED)
                    .setReason("reward of rollout " + w.getRolloutId() + " has score " + w.getScore()
                            + "; expected a finite number; sample excluded from its group as failed")
                    .build();
        }
        return w;
    }

    /** The Avro schema's full name of a decoded value, else its class name. */
    static String typeName(Object decoded) {
        return decoded instanceof SpecificRecord r ? r.getSchema().getFullName() : decoded.getClass().getName();
    }

    private void reject(Record<String, byte[]> record, RecordMetadata meta, String error, Throwable cause) {
        counters.increment(GroupingCounters.DEAD_LETTERS);
        byte[] key = record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8);
        context.forward(record.withValue(Routed.dead(DeadLetters.of(service, meta.topic(), meta.partition(),
                meta.offset(), key, record.value(), error, cause))));
    }
}
