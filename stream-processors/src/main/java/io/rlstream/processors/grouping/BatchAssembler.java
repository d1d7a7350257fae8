package io.rlstream.processors.grouping;

import io.rlstream.events.BatchTokens;
import io.rlstream.events.PreferencePair;
import io.rlstream.events.Rollout;
import io.rlstream.events.RolloutPosition;
import io.rlstream.rollouts.RolloutLog;
import io.rlstream.rollouts.TokenResolver;
import io.rlstream.processors.pairs.PreferencePairs;
import org.apache.avro.specific.SpecificRecord;
import io.rlstream.events.ScoredSample;
import io.rlstream.tokens.Tokens;
import io.rlstream.processors.advantage.GroupRewards;
import io.rlstream.processors.filtration.KeepAll;
import io.rlstream.events.TrainingBatchGroup;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Packs kept groups into training batches of B groups, applying what needs more than one group:
 * at batch time the estimator's batch stage (e.g. REINFORCE++ whitening) over every sample of the
 * batch, then PF-PPO's per-group filtration and verl's PF-PPO batch reweighting. Runs on a single partition, so batches
 * are numbered in one sequence. It sums the filter counters of every completed group (kept or
 * dropped) and buffers the kept ones; when B are buffered it emits B {@link TrainingBatchGroup}
 * records sharing a batch_id, with group_index 0..B−1 in arrival order. All B records are
 * forwarded in one {@code process} call and Streams commits only between calls, so under
 * exactly_once_v2 a batch is always inside one transaction (docs/architecture.md#rules-every-service-keeps, rule 4),
 * visible to read_committed consumers at the next commit (every {@code processors.commit.interval.ms}).
 *
 * <p>Everything lives in stores: the buffered groups, the next batch sequence (so it survives
 * restarts), and the counters since the last batch. Buffered samples hold their rollout's
 * position on rl.rollouts, not its tokens: the tokens are read back from there when the batch is
 * written ({@link RolloutLog}), so they reach the broker twice in all (rl.rollouts and
 * rl.training-batches) instead of five times (issue 18). Samples buffered with their tokens
 * (written before that change) go out as they are.
 *
 * <p>With {@code batch.tokens=reference} nothing is read back: the batch records carry each
 * sample's position ({@code source}) and length but no tokens, marked {@code tokens=REFERENCE},
 * and the pairs their two rollouts' positions; readers fetch the tokens from rl.rollouts
 * ({@link TokenResolver}), so the tokens reach the broker once.
 *
 * <p>With {@code preference-pairs.enabled}, each group of a batch also gives its best-vs-worst
 * pair (ties skipped) to rl.preference-pairs, keyed by prompt_id, from the same read. Only kept
 * groups reach the assembler; a dropped group has no contrast (equal rewards) or fewer than two
 * usable samples, so it never had a pair.
 */
final class BatchAssembler implements Processor<String, TrainingBatchGroup, String, SpecificRecord> {

    private static final StringSerializer KEYS = new StringSerializer();
    static final String NEXT_SEQUENCE = "next_sequence";
    static final String NEXT_ARRIVAL = "next_arrival";
    static final String PENDING = "pending";
    static final String COMPLETED_SINCE_BATCH = "completed_since_batch";
    static final String STAT_PREFIX = "stat:";

    private final GroupingSettings settings;
    private final GroupingCounters counters;
    private final RolloutLog.Factory logs;
    private RolloutLog log;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, TrainingBatchGroup> buffer;
    private KeyValueStore<String, Long> state;

    BatchAssembler(GroupingSettings settings, GroupingCounters counters, RolloutLog.Factory logs) {
        this.settings = settings;
        this.counters = counters;
        this.logs = logs;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.buffer = context.getStateStore(GroupingTopology.BATCH_BUFFER_STORE);
        this.state = context.getStateStore(GroupingTopology.BATCH_STATE_STORE);
    }

    @Override
    public void close() {
        if (log != null) {
            log.close();
        }
    }

    private boolean byReference() {
        return settings.batchTokens() == BatchTokens.REFERENCE;
    }

    @Override
    public void process(Record<String, TrainingBatchGroup> record) {
        TrainingBatchGroup group = record.value();
        group.getFilterStats().forEach((name, n) -> state.put(STAT_PREFIX + name, get(STAT_PREFIX + name) + n));
        state.put(COMPLETED_SINCE_BATCH, get(COMPLETED_SINCE_BATCH)
                + group.getFilterStats().getOrDefault(FilterStats.GROUPS_COMPLETED, 0L));
        if (group.getFilterStats().getOrDefault(FilterStats.GROUPS_KEPT, 0L) > 0) {
            // Buffered whole: PF-PPO's filtration runs at batch time, after the batch stage (see finalSamples).
            long arrival = get(NEXT_ARRIVAL);
            // Zero-padded so that the store's byte order is arrival order.
            buffer.put(String.format("%019d", arrival), group);
            state.put(NEXT_ARRIVAL, arrival + 1);
            state.put(PENDING, get(PENDING) + 1);
        }
        // No commit is requested after a batch: under a backlog that made every batch its own
        // transaction, about 100 ms each (bench processors: 1,143 -> 1,639 rollouts/s without it).
        // The batch becomes visible at the next regular commit (processors.commit.interval.ms).
        boolean emitted = false;
        while (get(PENDING) >= settings.batchGroups()) {
            emit(record.timestamp(), settings.batchGroups());
            emitted = true;
        }
        // DAPO's cap on generation rounds (verl max_num_gen_batches): after cap·B completed groups
        // without a full batch, train on what was kept rather than generate on; verl raises an
        // error there, a service that stopped would stop the whole loop (issue 15).
        int cap = settings.maxGenerationRounds();
        if (!emitted && cap > 0 && get(COMPLETED_SINCE_BATCH) >= (long) cap * settings.batchGroups()) {
            counters.increment(GroupingCounters.GENERATION_CAP_HITS);
            if (get(PENDING) > 0) {
                emit(record.timestamp(), (int) get(PENDING));
                emitted = true;
            } else {
                state.put(COMPLETED_SINCE_BATCH, 0L);
            }
        }
    }

    /**
     * PF-PPO's per-group filtration (arXiv 2409.06957): keeps the samples the strategy selects by
     * reward. It runs after every advantage is final (the group stage and the batch stage over all
     * samples of the batch), so the baseline and the batch statistics see every sample and the
     * filtration only chooses what is trained on, as PF-PPO filters PPO's samples and verl
     * reweights after compute_advantage (issue 15: a batch stage over the kept samples alone gave
     * grpo-batch-std all-zero advantages after best-of-n, and pushed correct answers down with
     * REINFORCE++). The random choice (best-random) is seeded from the seed and the group id, so a
     * replay selects the same samples.
     */
    private List<ScoredSample> filtered(String groupId, List<ScoredSample> all) {
        double[] rewards = all.stream().mapToDouble(ScoredSample::getReward).toArray();
        int[] keep = settings.filtration().select(rewards,
                new SplittableRandom(settings.filtrationSeed() ^ groupId.hashCode()));
        List<ScoredSample> kept = new ArrayList<>(keep.length);
        for (int i : keep) {
            kept.add(all.get(i));
        }
        return kept;
    }

    /**
     * The batch's final samples: the estimator's batch stage over every sample of the B groups,
     * then PF-PPO's per-group filtration, then verl's PF-PPO reweighting, which draws as many
     * samples as the batch holds, with replacement, weighted by reward (seeded from the seed and
     * the batch sequence, so a replay draws the same); each drawn sample stays in its group, so a
     * group may end up with repeats or with none. Counts the samples the filtration removed.
     */
    private List<List<ScoredSample>> finalSamples(List<TrainingBatchGroup> groups, long sequence, long[] filteredOut) {
        List<List<ScoredSample>> out = new ArrayList<>();
        groups.forEach(g -> out.add(g.getSamples()));
        if (settings.estimator().hasBatchStage()) {
            List<GroupRewards> rewards = new ArrayList<>();
            List<float[]> advantages = new ArrayList<>();
            for (List<ScoredSample> samples : out) {
                rewards.add(new GroupRewards(samples.stream().mapToDouble(ScoredSample::getReward).toArray(),
                        samples.stream().mapToInt(Tokens::responseLength).toArray()));
                float[] a = new float[samples.size()];
                for (int i = 0; i < a.length; i++) {
                    a[i] = samples.get(i).getAdvantage();
                }
                advantages.add(a);
            }
            List<float[]> normalized = settings.estimator().normalizeBatch(rewards, advantages);
            for (int k = 0; k < out.size(); k++) {
                List<ScoredSample> samples = new ArrayList<>();
                for (int i = 0; i < out.get(k).size(); i++) {
                    samples.add(ScoredSample.newBuilder(out.get(k).get(i)).setAdvantage(normalized.get(k)[i]).build());
                }
                out.set(k, samples);
            }
        }
        if (!(settings.filtration() instanceof KeepAll)) {
            for (int k = 0; k < out.size(); k++) {
                List<ScoredSample> kept = filtered(groups.get(k).getGroupId(), out.get(k));
                filteredOut[0] += out.get(k).size() - kept.size();
                out.set(k, kept);
            }
        }
        if (settings.reweighting().isPresent()) {
            List<int[]> where = new ArrayList<>();
            List<Double> scores = new ArrayList<>();
            for (int k = 0; k < out.size(); k++) {
                for (int i = 0; i < out.get(k).size(); i++) {
                    where.add(new int[] {k, i});
                    scores.add(out.get(k).get(i).getReward());
                }
            }
            int[] drawn = settings.reweighting().get().resample(scores.stream().mapToDouble(Double::doubleValue).toArray(),
                    scores.size(), new SplittableRandom(settings.filtrationSeed() * 31 + sequence));
            List<List<ScoredSample>> resampled = new ArrayList<>();
            out.forEach(x -> resampled.add(new ArrayList<>()));
            for (int d : drawn) {
                int[] at = where.get(d);
                resampled.get(at[0]).add(out.get(at[0]).get(at[1]));
            }
            return resampled;
        }
        return out;
    }

    /** Emits the first {@code b} buffered groups as one batch (B, or fewer at the generation round cap). */
    private void emit(long timestamp, int b) {
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
        long sequence = get(NEXT_SEQUENCE);
        long[] filteredOut = new long[1];
        // By reference: no read; the samples go out as buffered (position and length, no tokens).
        Map<RolloutLog.Position, Rollout> rollouts = byReference() ? Map.of() : readBack(groups);
        List<List<ScoredSample>> chosen = finalSamples(groups.stream().map(kv -> kv.value).toList(), sequence,
                filteredOut);
        List<List<ScoredSample>> finalSamples = byReference() ? chosen : withTokens(chosen, rollouts);
        if (filteredOut[0] > 0) {
            stats.merge(FilterStats.SAMPLES_FILTERED, filteredOut[0], Long::sum);
            counters.add(FilterStats.SAMPLES_FILTERED, filteredOut[0]);
        }
        int samples = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (List<ScoredSample> groupSamples : finalSamples) {
            for (ScoredSample s : groupSamples) {
                samples++;
                min = Math.min(min, s.getPolicyVersion());
                max = Math.max(max, s.getPolicyVersion());
            }
        }
        if (samples == 0) {
            min = -1;
            max = -1;
        }
        // Pairs first: they use each group's samples as buffered, which the batch records below replace.
        if (settings.preferencePairs()) {
            groups.forEach(kv -> preferencePair(kv.value, rollouts, timestamp));
        }
        String batchId = settings.batchIdPrefix() + "-" + sequence;
        for (int i = 0; i < groups.size(); i++) {
            // The buffered record was just read from the store and is this call's own: filled in
            // place (a builder would deep-copy every sample and its token buffers).
            TrainingBatchGroup out = groups.get(i).value;
            out.setBatchId(batchId);
            out.setBatchSequence(sequence);
            out.setGroupIndex(i);
            out.setBatchGroups(groups.size());
            out.setBatchSamples(samples);
            out.setSamples(finalSamples.get(i));
            out.setMinPolicyVersion(min);
            out.setMaxPolicyVersion(max);
            out.setFilterStats(stats);
            out.setCreatedAt(Instant.ofEpochMilli(timestamp));
            out.setTokens(byReference() ? BatchTokens.REFERENCE : BatchTokens.INLINE);
            context.forward(new Record<>(batchId, out, timestamp));
        }

        groups.forEach(kv -> buffer.delete(kv.key));
        statKeys.forEach(state::delete);
        state.put(NEXT_SEQUENCE, sequence + 1);
        state.put(COMPLETED_SINCE_BATCH, 0L);
        state.put(PENDING, get(PENDING) - groups.size());
        counters.increment(GroupingCounters.BATCHES);
    }

    /** Every buffered sample's rollout, read back from rl.rollouts in one pass over the batch. */
    private Map<RolloutLog.Position, Rollout> readBack(List<KeyValue<String, TrainingBatchGroup>> groups) {
        List<RolloutLog.Position> positions = new ArrayList<>();
        groups.forEach(g -> g.value.getSamples().forEach(s -> {
            if (s.getSource() != null) {
                positions.add(position(s));
            }
        }));
        if (positions.isEmpty()) {
            return Map.of();
        }
        if (log == null) {
            log = logs.open();
        }
        return log.read(positions);
    }

    /**
     * The samples with their tokens; a sample whose rollout is gone from the topic is left out and
     * counted (it cannot be trained on; its group's baseline was already computed with it).
     */
    private List<List<ScoredSample>> withTokens(List<List<ScoredSample>> groups,
            Map<RolloutLog.Position, Rollout> rollouts) {
        List<List<ScoredSample>> out = new ArrayList<>(groups.size());
        for (List<ScoredSample> group : groups) {
            List<ScoredSample> filled = new ArrayList<>(group.size());
            for (ScoredSample s : group) {
                if (s.getSource() == null) {
                    filled.add(s);
                    continue;
                }
                Rollout r = rollouts.get(position(s));
                if (r == null) {
                    counters.increment(GroupingCounters.ROLLOUTS_MISSING);
                    continue;
                }
                filled.add(withTokens(s, r));
            }
            out.add(filled);
        }
        return out;
    }

    /** The sample with its rollout's tokens; packed buffers are shared, not copied. */
    static ScoredSample withTokens(ScoredSample s, Rollout r) {
        return TokenResolver.withTokens(s, r);
    }

    /** The group's best and worst response by reward, ties skipped (PreferencePairs), as a pair. */
    private void preferencePair(TrainingBatchGroup group, Map<RolloutLog.Position, Rollout> rollouts, long timestamp) {
        List<ScoredSample> samples = group.getSamples();
        double[] rewards = samples.stream().mapToDouble(ScoredSample::getReward).toArray();
        PreferencePairs.select(rewards).ifPresent(pair -> {
            ScoredSample chosen = samples.get(pair.chosen());
            ScoredSample rejected = samples.get(pair.rejected());
            ByteBuffer prompt;
            ByteBuffer chosenTokens;
            ByteBuffer rejectedTokens;
            RolloutPosition chosenSource = null;
            RolloutPosition rejectedSource = null;
            if (byReference() && chosen.getSource() != null && rejected.getSource() != null) {
                // The reader fetches the tokens (TokenResolver): no rollout read for pairs either.
                prompt = null;
                chosenTokens = null;
                rejectedTokens = null;
                chosenSource = chosen.getSource();
                rejectedSource = rejected.getSource();
            } else if (chosen.getSource() == null || rejected.getSource() == null) {
                // buffered with its tokens, before issue 18
                prompt = Tokens.packInts(Tokens.promptIds(chosen));
                chosenTokens = Tokens.packInts(Tokens.responseIds(chosen));
                rejectedTokens = Tokens.packInts(Tokens.responseIds(rejected));
            } else {
                Rollout c = rollouts.get(position(chosen));
                Rollout r = rollouts.get(position(rejected));
                if (c == null || r == null) {
                    counters.increment(GroupingCounters.ROLLOUTS_MISSING);
                    return;
                }
                // The rollouts' packed buffers as they are (read-only use), arrays packed once.
                prompt = packedOr(c.getPackedPromptTokenIds(), Tokens.promptIds(c));
                chosenTokens = packedOr(c.getPackedResponseTokenIds(), Tokens.responseIds(c));
                rejectedTokens = packedOr(r.getPackedResponseTokenIds(), Tokens.responseIds(r));
            }
            counters.increment(GroupingCounters.PREFERENCE_PAIRS);
            PreferencePair out = PreferencePair.newBuilder()
                    .setPromptId(group.getPromptId())
                    .setGroupId(group.getGroupId())
                    .setChosenReward(rewards[pair.chosen()])
                    .setRejectedReward(rewards[pair.rejected()])
                    .setPolicyVersion(Math.max(chosen.getPolicyVersion(), rejected.getPolicyVersion()))
                    .setCreatedAt(Instant.ofEpochMilli(timestamp))
                    .setTokens(chosenSource != null ? BatchTokens.REFERENCE : BatchTokens.INLINE)
                    .setChosenSource(chosenSource)
                    .setRejectedSource(rejectedSource)
                    .build();
            // Set on the built record: the builder would deep-copy the buffers.
            out.setPackedPromptTokenIds(prompt);
            out.setPackedChosenTokenIds(chosenTokens);
            out.setPackedRejectedTokenIds(rejectedTokens);
            context.forward(new Record<>(group.getPromptId(), out, timestamp));
        });
    }

    private static ByteBuffer packedOr(ByteBuffer packed, int[] values) {
        return packed != null ? packed : Tokens.packInts(values);
    }

    private static RolloutLog.Position position(ScoredSample s) {
        return new RolloutLog.Position(s.getSource().getPartition(), s.getSource().getOffset());
    }

    private long get(String key) {
        Long v = state.get(key);
        return v == null ? 0 : v;
    }
}
