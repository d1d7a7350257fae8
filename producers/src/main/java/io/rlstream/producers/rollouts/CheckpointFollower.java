package io.rlstream.producers.rollouts;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows rl.checkpoints from the beginning and keeps every {@link CheckpointPublished} of one
 * policy with where it came from, so that the worker can try the newest and fall back to an older
 * one when a checkpoint does not load ({@link #reject}: it is never offered again). A record that
 * does not decode as a CheckpointPublished is kept for a dead letter ({@link #drainUndecodable}).
 * Not thread-safe: poll it from the thread that uses the weights, between generations (weights
 * never change in the middle of one).
 */
public final class CheckpointFollower implements AutoCloseable {

    /** An announcement of the followed policy and the record it came from. */
    public record Announcement(CheckpointPublished checkpoint, ConsumerRecord<String, byte[]> source) {}

    /** A record of rl.checkpoints that is not a CheckpointPublished, and why. */
    public record Undecodable(ConsumerRecord<String, byte[]> source, RuntimeException error) {}

    private final KafkaConsumer<String, byte[]> consumer;
    private final Deserializer<CheckpointPublished> decoder;
    private final String policyName;
    private final List<TopicPartition> partitions;
    private final List<Announcement> known = new ArrayList<>();
    private final Set<String> rejected = new HashSet<>();
    private final List<Undecodable> undecodable = new ArrayList<>();

    public CheckpointFollower(Map<String, Object> clientProps, TopicCatalog catalog, SerdeFactory serdes,
            String policyName) {
        this.policyName = policyName;
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        this.decoder = serdes.serde(CheckpointPublished.class).deserializer();
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        String topic = catalog.name(Topic.CHECKPOINTS);
        this.partitions = consumer.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads what has arrived, waiting at most {@code timeout}. */
    public void poll(Duration timeout) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
            CheckpointPublished c;
            try {
                Object decoded = r.value() == null || r.value().length == 0 ? null
                        : decoder.deserialize(r.topic(), r.headers(), r.value());
                if (decoded == null) {
                    throw new IllegalArgumentException("empty record (no CheckpointPublished)");
                }
                c = (CheckpointPublished) decoded;
            } catch (RuntimeException e) {
                undecodable.add(new Undecodable(r, e));
                continue;
            }
            if (policyName.equals(c.getPolicyName())) {
                known.add(new Announcement(c, r));
            }
        }
    }

    /** Reads the topic up to its end as of now (the history a starting worker chooses from), or until {@code max} passes. */
    public void replay(Duration max) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline && !Thread.currentThread().isInterrupted()
                && partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
            poll(Duration.ofMillis(200));
        }
    }

    /** True once an announcement of the policy was read (loaded, rejected or not). */
    public boolean any() {
        return !known.isEmpty();
    }

    /** The announcements not rejected with a version above {@code version}, newest first. */
    public List<Announcement> newerThan(long version) {
        return known.stream().filter(a -> a.checkpoint().getVersion() > version && !rejected.contains(id(a)))
                .sorted(Comparator.comparingLong((Announcement a) -> a.checkpoint().getVersion()).reversed()).toList();
    }

    /** Drops the announcements of versions up to {@code version} (superseded once it is loaded), so memory stays bounded. */
    public void forgetUpTo(long version) {
        known.removeIf(a -> {
            boolean gone = a.checkpoint().getVersion() <= version;
            if (gone) {
                rejected.remove(id(a));
            }
            return gone;
        });
    }

    /** Never offers {@code a} again (its checkpoint did not load). */
    public void reject(Announcement a) {
        rejected.add(id(a));
    }

    /** The undecodable records read since the last call. */
    public List<Undecodable> drainUndecodable() {
        List<Undecodable> out = List.copyOf(undecodable);
        undecodable.clear();
        return out;
    }

    private static String id(Announcement a) {
        return a.source().partition() + "@" + a.source().offset();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
