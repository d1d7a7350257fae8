package io.rlstream.processors.grouping;

import io.rlstream.deadletter.DeadLetters;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.tokens.Tokens;
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
 *       key, group_size &lt; 1, sample_index out of range): a dead letter only;</li>
 *   <li>a sample that can be placed but is unusable (an OK reward with a non-finite score, an OK
 *       rollout whose logprobs do not match its tokens): a dead letter, and the sample goes on
 *       marked FAILED, so its group still completes and the bad value never reaches a baseline.</li>
 * </ul>
 */
final class InputDecoder implements Processor<String, byte[], String, Routed<SpecificRecord>> {

    private final String rolloutsTopic;
    // Wildcards: what a deserializer returns is checked, not cast (a cast would throw on a wrong type).
    private final Deserializer<?> rollouts;
    private final Deserializer<?> rewards;
    private final String service;
    private final GroupingCounters counters;
    private ProcessorContext<String, Routed<SpecificRecord>> context;

    InputDecoder(String rolloutsTopic, Deserializer<Rollout> rollouts, Deserializer<Reward> rewards, String service,
            GroupingCounters counters) {
        this.rolloutsTopic = rolloutsTopic;
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
        String error = value instanceof Rollout r ? unplaceable(record.key(), r) : unplaceable(record.key(), (Reward) value);
        if (error != null) {
            reject(record, meta, error, null);
            return;
        }
        SpecificRecord usable = value instanceof Rollout r ? demoteIfUnusable(r) : demoteIfUnusable((Reward) value);
        if (usable != value) {
            counters.increment(GroupingCounters.SAMPLES_DEMOTED);
            String why = usable instanceof Rollout r ? r.getError() : ((Reward) usable).getReason();
            reject(record, meta, why, null);
        }
        context.forward(record.withValue(Routed.ok(usable)));
    }

    static String unplaceable(String key, Rollout r) {
        if (key == null) {
            return "rollout " + r.getRolloutId() + " has no record key; rollouts must be keyed by group_id";
        }
        if (r.getRolloutId().isEmpty()) {
            return "rollout of group " + r.getGroupId() + " has an empty rollout_id";
        }
        if (!key.equals(r.getGroupId())) {
            return "rollout " + r.getRolloutId() + " has group_id '" + r.getGroupId() + "' but record key '" + key
                    + "'; rollouts must be keyed by their group_id";
        }
        if (r.getGroupSize() < 1) {
            return "rollout " + r.getRolloutId() + " has group_size " + r.getGroupSize() + "; expected >= 1";
        }
        if (r.getSampleIndex() < 0 || r.getSampleIndex() >= r.getGroupSize()) {
            return "rollout " + r.getRolloutId() + " has sample_index " + r.getSampleIndex() + "; expected 0.."
                    + (r.getGroupSize() - 1) + " for group_size " + r.getGroupSize();
        }
        return null;
    }

    static String unplaceable(String key, Reward w) {
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
        return null;
    }

    static Rollout demoteIfUnusable(Rollout r) {
        if (r.getStatus() != SampleStatus.OK) {
            return r;
        }
        String problem;
        try {
            Tokens.promptIds(r);
            int tokens = Tokens.responseLength(r);
            int logprobs = Tokens.logprobCount(r);
            problem = logprobs == tokens ? null
                    : "has " + logprobs + " behaviour logprobs for " + tokens + " response tokens";
        } catch (IllegalArgumentException e) {
            problem = "has malformed " + e.getMessage();
        }
        if (problem == null) {
            return r;
        }
        // Set on a copy of the record: the builder would deep-copy the token buffers.
        Rollout demoted = Rollout.newBuilder(r).build();
        demoted.setStatus(SampleStatus.FAILED);
        demoted.setError("rollout " + r.getRolloutId() + " " + problem + "; sample excluded from its group as failed");
        return demoted;
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
