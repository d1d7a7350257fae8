package io.rlstream.processors.grouping;

import io.rlstream.events.CheckpointPublished;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the newest policy version announced on rl.checkpoints in the global
 * {@link GroupingTopology#POLICY_VERSION_STORE}, for the staleness filter. Versions only grow
 * (the trainer counts its steps), so the store keeps the maximum seen. A record that cannot be
 * read (tombstone, undecodable, another Avro type, a negative version) is logged, counted
 * ({@link GroupingCounters#CHECKPOINTS_SKIPPED}) and skipped: a global store cannot forward to
 * rl.dead-letters, and the trainer's own dead letters cover its output.
 */
final class PolicyVersionTracker implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyVersionTracker.class);

    private final String topic;
    // A wildcard: what the deserializer returns is checked, not cast.
    private final Deserializer<?> checkpoints;
    private final GroupingCounters counters;
    private KeyValueStore<String, Long> store;

    PolicyVersionTracker(String topic, Deserializer<CheckpointPublished> checkpoints, GroupingCounters counters) {
        this.topic = topic;
        this.checkpoints = checkpoints;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.store = context.getStateStore(GroupingTopology.POLICY_VERSION_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        long version = -1;
        String problem = null;
        if (record.value() == null) {
            problem = "record has no value (tombstone)";
        } else {
            try {
                Object decoded = checkpoints.deserialize(topic, record.headers(), record.value());
                if (decoded instanceof CheckpointPublished c) {
                    version = c.getVersion();
                    if (version < 0) {
                        problem = "version " + version + "; expected >= 0";
                    }
                } else {
                    problem = decoded == null ? "decoded to null where a CheckpointPublished was expected"
                            : "decoded a " + InputDecoder.typeName(decoded) + " where a CheckpointPublished was expected";
                }
            } catch (RuntimeException e) {
                problem = "cannot decode " + record.value().length + " bytes as a CheckpointPublished: " + e;
            }
        }
        if (problem != null) {
            counters.increment(GroupingCounters.CHECKPOINTS_SKIPPED);
            LOG.warn("skipping a checkpoint announcement on {} that cannot be used (key {}): {}", topic, record.key(),
                    problem);
            return;
        }
        Long current = store.get(GroupingTopology.POLICY_VERSION_KEY);
        if (current == null || version > current) {
            store.put(GroupingTopology.POLICY_VERSION_KEY, version);
        }
    }
}
