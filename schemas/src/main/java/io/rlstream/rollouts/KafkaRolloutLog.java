package io.rlstream.rollouts;

import io.rlstream.events.Rollout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * {@link RolloutLog} over a plain consumer: no group, manual assignment, read_committed (the
 * positions were read by the grouping app under exactly-once, so they are below the last stable
 * offset), no offset reset (a position below the log start is reported missing, not silently
 * replaced). Reads each partition's needed offsets as runs: one seek per run, then sequential
 * fetches; a needed offset more than {@link #MAX_GAP} records past the position is sought to
 * directly rather than read through.
 */
public final class KafkaRolloutLog implements RolloutLog {

    /** Records read through rather than sought past: a seek costs a round trip, a rollout a few KB. */
    static final int MAX_GAP = 256;
    static final int FETCH_MAX_WAIT_MS = 5;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Deserializer<Rollout> values;
    private final Duration timeout;

    /**
     * @param clientProps    the service's Kafka client settings (bootstrap servers, security)
     * @param clientIdPrefix names the consumer: {@code <prefix>-rollout-log-<n>}
     * @param topic          the rollouts topic (rl.rollouts under the input prefix)
     * @param values         the Rollout deserializer (the registry serde)
     * @param timeout        how long one {@link #read} may take before it throws {@link Unavailable}
     */
    public KafkaRolloutLog(Map<String, Object> clientProps, String clientIdPrefix, String topic, Deserializer<Rollout> values,
            Duration timeout) {
        Map<String, Object> props = new HashMap<>(clientProps);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientIdPrefix + "-rollout-log-" + INSTANCES.incrementAndGet());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        // Everything read here is committed data that is already on the broker. The consumer
        // fetches ahead past it, and the broker holds a fetch with nothing to return for up to
        // fetch.max.wait.ms; the next read waits behind it (at the default 500 ms, one batch took
        // about 290 ms). Measured in bench processors: see docs/benchmarks.md.
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.values = values;
        this.timeout = timeout;
    }

    @Override
    public Map<Position, Rollout> read(Collection<Position> positions) {
        Map<Position, Rollout> out = new HashMap<>();
        Map<TopicPartition, NavigableSet<Long>> wanted = new HashMap<>();
        for (Position p : positions) {
            wanted.computeIfAbsent(new TopicPartition(topic, p.partition()), tp -> new TreeSet<>()).add(p.offset());
        }
        if (wanted.isEmpty()) {
            return out;
        }
        consumer.assign(wanted.keySet());
        wanted.forEach((tp, offsets) -> consumer.seek(tp, offsets.first()));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!wanted.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new Unavailable("could not read " + wanted.values().stream().mapToInt(NavigableSet::size)
                        .sum() + " rollouts back from " + topic + " within " + timeout.toMillis() + " ms (first: "
                        + wanted.entrySet().iterator().next() + "); is the broker reachable?");
            }
            ConsumerRecords<byte[], byte[]> records;
            try {
                records = consumer.poll(Duration.ofMillis(100));
            } catch (OffsetOutOfRangeException e) {
                // Below the log start: deleted by retention. Report those missing, go on with the rest.
                Map<TopicPartition, Long> starts = consumer.beginningOffsets(e.partitions());
                for (TopicPartition tp : e.partitions()) {
                    NavigableSet<Long> offsets = wanted.get(tp);
                    offsets.headSet(starts.get(tp)).clear();
                    if (offsets.isEmpty()) {
                        wanted.remove(tp);
                    } else {
                        consumer.seek(tp, offsets.first());
                    }
                }
                consumer.assign(wanted.keySet());
                continue;
            }
            for (ConsumerRecord<byte[], byte[]> r : records) {
                NavigableSet<Long> offsets = wanted.get(new TopicPartition(r.topic(), r.partition()));
                if (offsets != null && offsets.remove(r.offset())) {
                    out.put(new Position(r.partition(), r.offset()), values.deserialize(r.topic(), r.headers(), r.value()));
                }
            }
            List<TopicPartition> done = new ArrayList<>();
            wanted.forEach((tp, offsets) -> {
                long position = consumer.position(tp);
                // Offsets the consumer moved past without returning them: aborted or compacted away.
                offsets.headSet(position).clear();
                if (offsets.isEmpty()) {
                    done.add(tp);
                } else if (offsets.first() - position > MAX_GAP) {
                    consumer.seek(tp, offsets.first());
                }
            });
            if (!done.isEmpty()) {
                done.forEach(wanted::remove);
                consumer.assign(wanted.keySet());
            }
        }
        return out;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
