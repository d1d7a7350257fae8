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
 * read is logged and skipped: the trainer's own dead letters cover its output, and a global
 * store cannot forward to rl.dead-letters.
 */
final class PolicyVersionTracker implements Processor<String, byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyVersionTracker.class);

    private final String topic;
    private final Deserializer<CheckpointPublished> checkpoints;
    private KeyValueStore<String, Long> store;

    PolicyVersionTracker(String topic, Deserializer<CheckpointPublished> checkpoints) {
        this.topic = topic;
        this.checkpoints = checkpoints;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.store = context.getStateStore(GroupingTopology.POLICY_VERSION_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        long version;
        try {
            version = checkpoints.deserialize(topic, record.value()).getVersion();
        } catch (RuntimeException e) {
            LOG.warn("skipping a checkpoint announcement that cannot be read ({}): {}", record.key(), e.toString());
            return;
        }
        Long current = store.get(GroupingTopology.POLICY_VERSION_KEY);
        if (current == null || version > current) {
            store.put(GroupingTopology.POLICY_VERSION_KEY, version);
        }
    }
}
