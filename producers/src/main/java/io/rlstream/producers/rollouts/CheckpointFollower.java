package io.rlstream.producers.rollouts;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows rl.checkpoints from the beginning and remembers the newest {@link CheckpointPublished}
 * of one policy. Not thread-safe: poll it from the thread that uses the weights, between
 * generations (weights never change in the middle of one).
 */
public final class CheckpointFollower implements AutoCloseable {

    private final KafkaConsumer<String, CheckpointPublished> consumer;
    private final String policyName;
    private CheckpointPublished latest;

    public CheckpointFollower(Map<String, Object> clientProps, TopicCatalog catalog, SerdeFactory serdes,
            String policyName) {
        this.policyName = policyName;
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                serdes.serde(CheckpointPublished.class).deserializer());
        String topic = catalog.name(Topic.CHECKPOINTS);
        List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads what has arrived (waiting at most {@code timeout}) and returns the newest checkpoint, if any. */
    public Optional<CheckpointPublished> poll(Duration timeout) {
        for (ConsumerRecord<String, CheckpointPublished> r : consumer.poll(timeout)) {
            CheckpointPublished c = r.value();
            if (c != null && policyName.equals(c.getPolicyName()) && (latest == null || c.getVersion() > latest.getVersion())) {
                latest = c;
            }
        }
        return Optional.ofNullable(latest);
    }

    /** Waits until a first checkpoint of the policy exists, or the deadline passes. */
    public Optional<CheckpointPublished> awaitFirst(Duration max, Runnable whileWaiting) {
        long deadline = System.nanoTime() + max.toNanos();
        while (latest == null && System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()) {
            poll(Duration.ofMillis(200));
            if (latest == null) {
                whileWaiting.run();
            }
        }
        return Optional.ofNullable(latest);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
