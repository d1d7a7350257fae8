package io.rlstream.processors.grouping;

import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Packs kept groups into training batches of B groups. Runs on a single partition, so batches
 * are numbered in one sequence. It sums the filter counters of every completed group (kept or
 * dropped) and buffers the kept ones; when B are buffered it emits B {@link TrainingBatchGroup}
 * records sharing a batch_id, with group_index 0..B−1 in arrival order, and asks for a commit.
 * All B records are forwarded in one {@code process} call and Streams commits only between calls,
 * so under exactly_once_v2 a batch is always inside one transaction (ARCHITECTURE rule 4); the
 * commit request makes the finished batch visible to read_committed consumers at once.
 *
 * <p>Everything lives in stores: the buffered groups, the next batch sequence (so it survives
 * restarts), and the counters since the last batch.
 */
final class BatchAssembler implements Processor<String, TrainingBatchGroup, String, TrainingBatchGroup> {

    private static final StringSerializer KEYS = new StringSerializer();
    static final String NEXT_SEQUENCE = "next_sequence";
    static final String NEXT_ARRIVAL = "next_arrival";
    static final String PENDING = "pending";
    static final String STAT_PREFIX = "stat:";

    private final GroupingSettings settings;
    private final GroupingCounters counters;
    private ProcessorContext<String, TrainingBatchGroup> context;
    private KeyValueStore<String, TrainingBatchGroup> buffer;
    private KeyValueStore<String, Long> state;

    BatchAssembler(GroupingSettings settings, GroupingCounters counters) {
        this.settings = settings;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, TrainingBatchGroup> context) {
        this.context = context;
        this.buffer = context.getStateStore(GroupingTopology.BATCH_BUFFER_STORE);
        this.state = context.getStateStore(GroupingTopology.BATCH_STATE_STORE);
    }

    @Override
    public void process(Record<String, TrainingBatchGroup> record) {
        TrainingBatchGroup group = record.value();
        group.getFilterStats().forEach((name, n) -> state.put(STAT_PREFIX + name, get(STAT_PREFIX + name) + n));
        if (group.getFilterStats().getOrDefault(FilterStats.GROUPS_KEPT, 0L) > 0) {
            long arrival = get(NEXT_ARRIVAL);
            // Zero-padded so that the store's byte order is arrival order.
            buffer.put(String.format("%019d", arrival), group);
            state.put(NEXT_ARRIVAL, arrival + 1);
            state.put(PENDING, get(PENDING) + 1);
        }
        boolean emitted = false;
        while (get(PENDING) >= settings.batchGroups()) {
            emit(record.timestamp());
            emitted = true;
        }
        if (emitted) {
            context.commit();
        }
    }

    private void emit(long timestamp) {
        int b = settings.batchGroups();
        List<KeyValue<String, TrainingBatchGroup>> groups = new ArrayList<>(b);
        try (KeyValueIterator<String, TrainingBatchGroup> it = buffer.all()) {
            while (it.hasNext() && groups.size() < b) {
                groups.add(it.next());
            }
        }
        if (groups.size() < b) {
            throw new IllegalStateException("batch buffer holds " + groups.size() + " groups but the counter says "
                    + get(PENDING) + "; the " + GroupingTopology.BATCH_BUFFER_STORE + " and "
                    + GroupingTopology.BATCH_STATE_STORE + " stores disagree");
        }
        Map<String, Long> stats = new TreeMap<>(FilterStats.zero());
        List<String> statKeys = new ArrayList<>();
        try (KeyValueIterator<String, Long> it = state.prefixScan(STAT_PREFIX, KEYS)) {
            it.forEachRemaining(kv -> {
                statKeys.add(kv.key);
                stats.put(kv.key.substring(STAT_PREFIX.length()), kv.value);
            });
        }
        int samples = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (KeyValue<String, TrainingBatchGroup> kv : groups) {
            for (ScoredSample s : kv.value.getSamples()) {
                samples++;
                min = Math.min(min, s.getPolicyVersion());
                max = Math.max(max, s.getPolicyVersion());
            }
        }
        if (samples == 0) {
            min = -1;
            max = -1;
        }
        long sequence = get(NEXT_SEQUENCE);
        String batchId = settings.batchIdPrefix() + "-" + sequence;
        for (int i = 0; i < groups.size(); i++) {
            TrainingBatchGroup out = TrainingBatchGroup.newBuilder(groups.get(i).value)
                    .setBatchId(batchId)
                    .setBatchSequence(sequence)
                    .setGroupIndex(i)
                    .setBatchGroups(groups.size())
                    .setBatchSamples(samples)
                    .setMinPolicyVersion(min)
                    .setMaxPolicyVersion(max)
                    .setFilterStats(stats)
                    .setCreatedAt(Instant.ofEpochMilli(timestamp))
                    .build();
            context.forward(new Record<>(batchId, out, timestamp));
        }
        groups.forEach(kv -> buffer.delete(kv.key));
        statKeys.forEach(state::delete);
        state.put(NEXT_SEQUENCE, sequence + 1);
        state.put(PENDING, get(PENDING) - groups.size());
        counters.increment(GroupingCounters.BATCHES);
    }

    private long get(String key) {
        Long v = state.get(key);
        return v == null ? 0 : v;
    }
}
