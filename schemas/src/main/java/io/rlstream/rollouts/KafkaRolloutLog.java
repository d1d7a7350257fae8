package io.rlstream.rollouts;

import io.rlstream.events.Rollout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
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
 * replaced).
 *
 * <p>Reads rl.rollouts forward, as its callers ask for it: batches come in roughly the order their
 * rollouts were written, so the rollouts of the next batch lie just past this one's. A partition
 * stays assigned between reads (paused while no read wants it), so what the consumer fetched ahead
 * is not thrown away, and is sought only when a wanted offset lies behind its position or more than
 * {@link #MAX_GAP} records ahead; records read on the way that this read does not want are kept,
 * undecoded, up to {@link #CACHE_BYTES}, for the reads that will. Each rollout is then fetched and
 * decompressed about once (issue 18: seeking to every batch anew fetched 5.3 records per rollout
 * wanted in {@code bench processors --batch-tokens reference}).
 */
public final class KafkaRolloutLog implements RolloutLog {

    /** Records read through rather than sought past: a seek costs a round trip, a rollout a few KB. */
    static final int MAX_GAP = 256;
    static final int FETCH_MAX_WAIT_MS = 5;
    /** Undecoded records kept for later reads: about 4,000 rollouts of 1,000 tokens. */
    static final long CACHE_BYTES = 32L << 20;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Deserializer<Rollout> values;
    private final Duration timeout;
    private final long cacheBytes;
    /** Partitions assigned so far (sought when first wanted, so each has a position); paused unless a read wants them. */
    private final Set<TopicPartition> assigned = new HashSet<>();
    /** Records read but not wanted yet, oldest first. */
    private final LinkedHashMap<Position, ConsumerRecord<byte[], byte[]>> cache = new LinkedHashMap<>();
    private long cachedBytes;
    private long recordsRead;

    /**
     * @param clientProps    the service's Kafka client settings (bootstrap servers, security)
     * @param clientIdPrefix names the consumer: {@code <prefix>-rollout-log-<n>}
     * @param topic          the rollouts topic (rl.rollouts under the input prefix)
     * @param values         the Rollout deserializer (the registry serde)
     * @param timeout        how long one {@link #read} may take before it throws {@link Unavailable}
     */
    public KafkaRolloutLog(Map<String, Object> clientProps, String clientIdPrefix, String topic, Deserializer<Rollout> values,
            Duration timeout) {
        this(clientProps, clientIdPrefix, topic, values, timeout, CACHE_BYTES);
    }

    /** @param cacheBytes how many bytes of records read ahead to keep for later reads */
    KafkaRolloutLog(Map<String, Object> clientProps, String clientIdPrefix, String topic, Deserializer<Rollout> values,
            Duration timeout, long cacheBytes) {
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
        this.cacheBytes = cacheBytes;
    }

    @Override
    public Map<Position, Rollout> read(Collection<Position> positions) {
        Map<Position, Rollout> out = new HashMap<>();
        Map<TopicPartition, NavigableSet<Long>> wanted = new HashMap<>();
        for (Position p : positions) {
            ConsumerRecord<byte[], byte[]> cached = cache.remove(p);
            if (cached != null) {
                cachedBytes -= size(cached);
                out.put(p, decode(cached));
            } else if (!out.containsKey(p)) {
                wanted.computeIfAbsent(new TopicPartition(topic, p.partition()), tp -> new TreeSet<>()).add(p.offset());
            }
        }
        if (wanted.isEmpty()) {
            return out;
        }
        Set<TopicPartition> added = new HashSet<>(wanted.keySet());
        added.removeAll(assigned);
        if (!added.isEmpty()) {
            assigned.addAll(added);
            consumer.assign(assigned);
        }
        Set<TopicPartition> idle = new HashSet<>(assigned);
        idle.removeAll(wanted.keySet());
        consumer.pause(idle);
        consumer.resume(wanted.keySet());
        // From here on every wanted offset is at or past its partition's position: one the consumer
        // moves past without returning it was aborted or compacted away.
        wanted.forEach((tp, offsets) -> {
            if (added.contains(tp) || offsets.first() < consumer.position(tp)
                    || offsets.first() - consumer.position(tp) > MAX_GAP) {
                consumer.seek(tp, offsets.first());
            }
        });
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
                    long start = starts.get(tp);
                    if (offsets == null) {
                        consumer.seek(tp, start);
                        continue;
                    }
                    offsets.headSet(start).clear();
                    if (offsets.isEmpty()) {
                        wanted.remove(tp);
                        consumer.seek(tp, start);
                        consumer.pause(List.of(tp));
                    } else {
                        consumer.seek(tp, offsets.first());
                    }
                }
                continue;
            }
            recordsRead += records.count();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                NavigableSet<Long> offsets = wanted.get(new TopicPartition(r.topic(), r.partition()));
                if (offsets != null && offsets.remove(r.offset())) {
                    out.put(new Position(r.partition(), r.offset()), decode(r));
                } else {
                    keep(r);
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
            done.forEach(wanted::remove);
            consumer.pause(done);
        }
        return out;
    }

    /** Records the consumer returned so far, wanted or not: how many times rollouts were fetched. */
    long recordsRead() {
        return recordsRead;
    }

    private void keep(ConsumerRecord<byte[], byte[]> r) {
        if (cache.put(new Position(r.partition(), r.offset()), r) == null) {
            cachedBytes += size(r);
        }
        var oldest = cache.entrySet().iterator();
        while (cachedBytes > cacheBytes && oldest.hasNext()) {
            cachedBytes -= size(oldest.next().getValue());
            oldest.remove();
        }
    }

    private static long size(ConsumerRecord<byte[], byte[]> r) {
        return (r.value() == null ? 0 : r.value().length) + (r.key() == null ? 0 : r.key().length);
    }

    private Rollout decode(ConsumerRecord<byte[], byte[]> r) {
        return values.deserialize(r.topic(), r.headers(), r.value());
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
