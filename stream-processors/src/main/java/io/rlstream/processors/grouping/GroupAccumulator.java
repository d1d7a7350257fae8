package io.rlstream.processors.grouping;

import io.rlstream.deadletter.DeadLetters;
import io.rlstream.events.FinishReason;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.StoredRollout;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.processors.advantage.GroupRewards;
import io.rlstream.processors.filter.Verdict;
import io.rlstream.rollouts.RolloutSummaries;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Collects each group's rollouts and rewards (keyed by group_id, so one task sees a whole group)
 * until the group closes, then scores it: stale samples out, advantages over the usable samples,
 * the group filter, and one outcome record: the group with its samples when
 * kept, a group without tokens carrying only rewards and counters when dropped. Either way the
 * group's samples leave the stores.
 *
 * <p>A group of size G closes when every sample index 0..G−1 has a rollout that is FAILED, or an
 * OK rollout together with its reward (OK or FAILED); or when it has been open for
 * {@code group.timeout.ms} (a generation or a verification was lost): then it goes on with the
 * samples it has if at least {@code group.min-samples} are usable, and is dropped as
 * {@code timed_out} otherwise. Usable samples are OK rollouts with OK rewards, not stale; failed
 * ones are left out of the group and its baseline, never counted as zero (docs/architecture.md#rules-every-service-keeps, rule 2).
 * Rollouts and rewards are de-duplicated by rollout_id (a retried generation repeats it) and
 * rollouts also by sample index; records of a closed group are counted as late and dropped.
 *
 * <p>Stores: rollouts and rewards under {@code group_id NUL rollout_id}, one record per sample so
 * that no changelog record grows with G. A rollout is stored without its tokens, as a
 * {@link StoredRollout} with its position on rl.rollouts: outcomes carry that position, and the
 * batch assembler reads the tokens back from there when it writes the batch and the group's
 * preference pair (issue 18). Progress per group_id ({@link GroupProgress}), which
 * after closing stays as a marker for {@code group.retention.ms}. With a staleness bound, the
 * current policy version comes from the global store over rl.checkpoints.
 *
 * <p>Output: {@link Routed} values: the group outcome (keyed by group_id) or a dead letter.
 */
final class GroupAccumulator implements Processor<String, SpecificRecord, String, Routed<SpecificRecord>> {

    /** Separates group_id from rollout_id in store keys; cannot occur in either id, so prefix scans are exact. */
    private static final char SEP = '\u0000';
    private static final StringSerializer KEYS = new StringSerializer();
    /** The reward component that says whether a response solved its prompt (reward-service's RewardScorer.CORRECTNESS). */
    static final String CORRECTNESS = "correctness";

    private final GroupingSettings settings;
    private final Serializer<Rollout> rolloutBytes;
    private final Serializer<Reward> rewardBytes;
    private final String service;
    private final GroupingCounters counters;
    private ProcessorContext<String, Routed<SpecificRecord>> context;
    private KeyValueStore<String, StoredRollout> rollouts;
    private KeyValueStore<String, Reward> rewards;
    private KeyValueStore<String, GroupProgress> progress;
    private ClosedGroups closed;
    private KeyValueStore<String, Long> policyVersion;

    GroupAccumulator(GroupingSettings settings, Serializer<Rollout> rolloutBytes, Serializer<Reward> rewardBytes,
            String service, GroupingCounters counters) {
        this.settings = settings;
        this.rolloutBytes = rolloutBytes;
        this.rewardBytes = rewardBytes;
        this.service = service;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, Routed<SpecificRecord>> context) {
        this.context = context;
        this.rollouts = context.getStateStore(GroupingTopology.ROLLOUT_STORE);
        this.rewards = context.getStateStore(GroupingTopology.REWARD_STORE);
        this.progress = context.getStateStore(GroupingTopology.PROGRESS_STORE);
        this.closed = new ClosedGroups(context.getStateStore(GroupingTopology.CLOSED_STORE));
        if (settings.staleness().enabled()) {
            this.policyVersion = context.getStateStore(GroupingTopology.POLICY_VERSION_STORE);
        }
        context.schedule(Duration.ofMillis(settings.sweepIntervalMs()), PunctuationType.WALL_CLOCK_TIME, this::sweep);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        String groupId = record.key();
        GroupProgress p = progress.get(groupId);
        // A done marker in the progress store: a group closed before issue 18 moved them out.
        if ((p != null && p.done()) || (p == null && closed.contains(groupId))) {
            counters.increment(GroupingCounters.LATE_RECORDS);
            return;
        }
        if (record.value() instanceof Rollout r) {
            RecordMetadata meta = context.recordMetadata().orElseThrow();
            onRollout(record, groupId, RolloutSummaries.stored(r, meta.partition(), meta.offset()), p);
        } else if (record.value() instanceof Reward w && w.getRollout() != null) {
            onRewardWithRollout(record, groupId, w, p);
        } else if (record.value() instanceof Reward w) {
            onReward(record, groupId, w, p);
        } else {
            throw new IllegalStateException("expected a Rollout or a Reward, got " + record.value().getClass());
        }
    }

    private void onRollout(Record<String, SpecificRecord> record, String groupId, StoredRollout r, GroupProgress p) {
        String key = sampleKey(groupId, r.getRolloutId());
        if (rollouts.get(key) != null) {
            counters.increment(GroupingCounters.DUPLICATES);
            return;
        }
        p = placed(record, groupId, r, p);
        if (p == null) {
            return;
        }
        rollouts.put(key, r);
        boolean resolved = r.getStatus() != SampleStatus.OK || rewards.get(key) != null;
        advance(record, groupId, p.withSample(r.getSampleIndex(), resolved));
    }

    /**
     * A reward that carries its rollout's summary ({@code grouping.rollouts.source = rewards}, issue
     * 18): the rollout, then its reward, as if both had come, with the same de-duplication. A
     * rollout already there makes the reward a duplicate or a feedback merge, as any second reward;
     * a sample index already filled under another rollout_id, or a group_size other than the
     * group's, drops both (a dead letter for the latter). The stored reward does not keep the
     * summary: the stored rollout has it.
     */
    private void onRewardWithRollout(Record<String, SpecificRecord> record, String groupId, Reward w,
            GroupProgress p) {
        StoredRollout r = RolloutSummaries.stored(w.getRollout());
        String key = sampleKey(groupId, r.getRolloutId());
        if (rollouts.get(key) != null) {
            w.setRollout(null);
            onReward(record, groupId, w, p);
            return;
        }
        p = placed(record, groupId, r, p);
        if (p == null) {
            return;
        }
        w.setRollout(null);
        rollouts.put(key, r);
        Reward existing = rewards.get(key);
        if (existing == null) {
            rewards.put(key, w);
        } else {
            // A reward of user feedback came before the verifier's, which brings the rollout.
            Reward merged = settings.feedback().merge(existing, w);
            if (merged != null) {
                rewards.put(key, merged);
                counters.increment(GroupingCounters.FEEDBACK_MERGED);
            } else {
                counters.increment(GroupingCounters.DUPLICATES);
            }
        }
        advance(record, groupId, p.withSample(r.getSampleIndex(), true));
    }

    /**
     * The group's progress with room for rollout {@code r}, or null when it has no place: a
     * duplicate of a filled sample index (counted) or a group_size other than the group's (a dead letter).
     */
    private GroupProgress placed(Record<String, SpecificRecord> record, String groupId, StoredRollout r,
            GroupProgress p) {
        if (p == null) {
            p = GroupProgress.start(r.getGroupSize(), context.currentSystemTimeMs());
        } else if (p.groupSize() == 0) {
            // Opened by an early reward: the first rollout tells G.
            p = p.withGroupSize(r.getGroupSize());
        } else if (p.groupSize() != r.getGroupSize()) {
            deadLetter(record, "rollout " + r.getRolloutId() + " says group_size " + r.getGroupSize()
                    + " but earlier rollouts of group " + groupId + " say " + p.groupSize());
            return null;
        }
        if (p.hasSample(r.getSampleIndex())) {
            // Another rollout_id for a sample index already filled: a duplicate under a new id.
            counters.increment(GroupingCounters.DUPLICATES);
            return null;
        }
        return p;
    }

    private void onReward(Record<String, SpecificRecord> record, String groupId, Reward w, GroupProgress p) {
        String key = sampleKey(groupId, w.getRolloutId());
        Reward existing = rewards.get(key);
        if (existing != null) {
            // A verifier's reward and the first user feedback of a rollout merge (docs/algorithms.md#user-feedback);
            // the sample was resolved by the first of them, so progress does not change.
            Reward merged = settings.feedback().merge(existing, w);
            if (merged == null) {
                counters.increment(GroupingCounters.DUPLICATES);
            } else {
                rewards.put(key, merged);
                counters.increment(GroupingCounters.FEEDBACK_MERGED);
            }
            return;
        }
        rewards.put(key, w);
        if (p == null) {
            // A reward before any rollout of its group opens the group, so that the timeout also
            // covers a group whose rollouts never come. G is not known yet: 0 until a rollout says.
            progress.put(groupId, GroupProgress.start(0, context.currentSystemTimeMs()));
            return;
        }
        StoredRollout r = rollouts.get(key);
        if (r != null && r.getStatus() == SampleStatus.OK) {
            advance(record, groupId, p.resolve(r.getSampleIndex()));
        }
    }

    private void advance(Record<String, SpecificRecord> record, String groupId, GroupProgress p) {
        if (p.complete() && settings.feedback().waitMs() == 0) {
            close(groupId, p.groupSize(), record.timestamp(), false);
        } else {
            progress.put(groupId, p);
        }
    }

    /**
     * Closes groups open longer than the timeout and forgets closed groups older than the
     * retention. Runs on wall-clock time, so a group whose last sample never comes still closes.
     */
    private void sweep(long now) {
        List<KeyValue<String, GroupProgress>> timedOut = new ArrayList<>();
        // Complete groups held open for user feedback (group.feedback.wait.ms) close normally once it has passed.
        List<KeyValue<String, GroupProgress>> waited = new ArrayList<>();
        List<String> expired = new ArrayList<>();
        // Open groups only (plus done markers left by a version before issue 18, until they expire):
        // closed groups live in their own store and expire by time.
        try (KeyValueIterator<String, GroupProgress> it = progress.all()) {
            while (it.hasNext()) {
                KeyValue<String, GroupProgress> kv = it.next();
                long age = now - kv.value.since();
                if (kv.value.done() && age >= settings.retentionMs()) {
                    expired.add(kv.key);
                } else if (!kv.value.done() && kv.value.complete() && age >= settings.feedback().waitMs()) {
                    waited.add(kv);
                } else if (!kv.value.done() && age >= settings.groupTimeoutMs()) {
                    timedOut.add(kv);
                }
            }
        }
        expired.forEach(progress::delete);
        closed.forgetClosedBefore(now - settings.retentionMs());
        for (KeyValue<String, GroupProgress> kv : waited) {
            close(kv.key, kv.value.groupSize(), now, false);
        }
        for (KeyValue<String, GroupProgress> kv : timedOut) {
            close(kv.key, kv.value.groupSize(), now, true);
        }
    }

    private void close(String groupId, int groupSize, long timestamp, boolean timedOut) {
        List<String> keys = new ArrayList<>();
        List<StoredRollout> groupRollouts = new ArrayList<>();
        Map<String, Reward> rewardById = new HashMap<>();
        String prefix = groupId + SEP;
        try (KeyValueIterator<String, StoredRollout> it = rollouts.prefixScan(prefix, KEYS)) {
            it.forEachRemaining(kv -> {
                keys.add(kv.key);
                groupRollouts.add(kv.value);
            });
        }
        List<String> rewardKeys = new ArrayList<>();
        try (KeyValueIterator<String, Reward> it = rewards.prefixScan(prefix, KEYS)) {
            it.forEachRemaining((KeyValue<String, Reward> kv) -> {
                rewardKeys.add(kv.key);
                rewardById.put(kv.value.getRolloutId(), kv.value);
            });
        }
        groupRollouts.sort(Comparator.comparingInt(StoredRollout::getSampleIndex));

        long current = currentPolicyVersion();
        List<StoredRollout> usable = new ArrayList<>();
        List<Reward> usableRewards = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        int stale = 0;
        for (StoredRollout r : groupRollouts) {
            Reward w = rewardById.get(r.getRolloutId());
            if (r.getStatus() == SampleStatus.OK && w != null && w.getStatus() == SampleStatus.OK) {
                if (settings.staleness().isStale(r.getPolicyVersion(), current)) {
                    stale++;
                } else {
                    usable.add(r);
                    usableRewards.add(w);
                    scores.add(w.getScore());
                }
            }
        }
        double[] rewardsOfGroup = scores.stream().mapToDouble(Double::doubleValue).toArray();
        // A group opened by a reward whose rollouts never came has G = 0: count the samples we heard of.
        Set<String> heardOf = new HashSet<>(rewardById.keySet());
        groupRollouts.forEach(r -> heardOf.add(r.getRolloutId()));
        int size = Math.max(groupSize, heardOf.size());
        int failed = size - usable.size() - stale;
        Verdict verdict = timedOut && usable.size() < settings.minSamples()
                ? Verdict.TIMED_OUT : settings.filter().judge(rewardsOfGroup);

        // Samples carry their rollout's position, not its tokens (the batch assembler reads them
        // back). A dropped group still tells how hard its prompt is (prompt stats) by its rewards.
        List<ScoredSample> samples = new ArrayList<>();
        int truncated = 0;
        if (verdict.kept()) {
            int[] lengths = usable.stream().mapToInt(StoredRollout::getResponseLength).toArray();
            float[] advantages = settings.estimator().advantages(new GroupRewards(rewardsOfGroup, lengths));
            for (int i = 0; i < usable.size(); i++) {
                ScoredSample s = scored(usable.get(i), usableRewards.get(i), rewardsOfGroup[i], advantages[i]);
                truncated += s.getTruncated() ? 1 : 0;
                samples.add(s);
            }
        } else {
            for (int i = 0; i < usable.size(); i++) {
                ScoredSample s = scored(usable.get(i), usableRewards.get(i), rewardsOfGroup[i], 0f);
                s.setTruncated(false);
                samples.add(s);
            }
        }
        String promptId = groupRollouts.isEmpty()
                ? rewardById.values().stream().map(Reward::getPromptId).findFirst().orElse("")
                : groupRollouts.get(0).getPromptId();
        Map<String, Long> stats = FilterStats.ofGroup(verdict, failed, stale, truncated, timedOut);
        TrainingBatchGroup outcome = outcome(groupId, promptId, samples, stats, timestamp);

        keys.forEach(rollouts::delete);
        rewardKeys.forEach(rewards::delete);
        progress.delete(groupId);
        closed.add(groupId, context.currentSystemTimeMs());
        counters.groupClosed(stats);
        context.forward(new Record<>(groupId, Routed.ok(outcome), timestamp));
    }

    /** The newest policy version announced on rl.checkpoints, −1 before any (or without a staleness bound). */
    private long currentPolicyVersion() {
        if (policyVersion == null) {
            return -1;
        }
        Long v = policyVersion.get(GroupingTopology.POLICY_VERSION_KEY);
        return v == null ? -1 : v;
    }

    private ScoredSample scored(StoredRollout r, Reward w, double reward, float advantage) {
        Double correctness = w.getComponents().get(CORRECTNESS);
        return ScoredSample.newBuilder()
                .setRolloutId(r.getRolloutId())
                .setResponseLength(r.getResponseLength())
                .setSource(r.getSource())
                .setReward(reward)
                .setAdvantage(advantage)
                .setPolicyVersion(r.getPolicyVersion())
                // DAPO overlong filtering: the trainer masks marked responses out of the loss.
                .setTruncated(settings.markTruncated() && r.getFinishReason() == FinishReason.LENGTH)
                // Pass rates count correct samples, not positive rewards (issue 15; docs/algorithms.md#prompt-selectors).
                .setCorrect(correctness == null ? null : correctness > 0)
                .setTemperature(r.getTemperature())
                .setMaxNewTokens(r.getMaxNewTokens())
                .build();
    }

    /**
     * A closed group on its way to the batch assembler: a {@link TrainingBatchGroup} whose batch
     * fields are not set yet (batch_id empty, sequence and index −1), whose filter_stats are this
     * group's contribution, and whose samples have no tokens when the group was dropped.
     */
    private TrainingBatchGroup outcome(String groupId, String promptId, List<ScoredSample> samples,
            Map<String, Long> stats, long timestamp) {
        long min = samples.stream().mapToLong(ScoredSample::getPolicyVersion).min().orElse(-1);
        long max = samples.stream().mapToLong(ScoredSample::getPolicyVersion).max().orElse(-1);
        return TrainingBatchGroup.newBuilder()
                .setBatchId("")
                .setBatchSequence(-1)
                .setGroupIndex(-1)
                .setBatchGroups(0)
                .setBatchSamples(samples.size())
                .setMinPolicyVersion(min)
                .setMaxPolicyVersion(max)
                .setFilterStats(stats)
                .setGroupId(groupId)
                .setPromptId(promptId)
                .setEstimator(settings.estimatorName())
                .setSamples(samples)
                // The time of the record that closed the group, not the wall clock: a replay gives the same output.
                .setCreatedAt(Instant.ofEpochMilli(timestamp))
                .build();
    }

    private void deadLetter(Record<String, SpecificRecord> record, String error) {
        counters.increment(GroupingCounters.DEAD_LETTERS);
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        byte[] value = record.value() instanceof Rollout r ? rolloutBytes.serialize(meta.topic(), r)
                : rewardBytes.serialize(meta.topic(), (Reward) record.value());
        context.forward(record.withValue(Routed.dead(DeadLetters.of(service, meta.topic(), meta.partition(),
                meta.offset(), record.key().getBytes(StandardCharsets.UTF_8), value, error, null))));
    }

    static String sampleKey(String groupId, String rolloutId) {
        return groupId + SEP + rolloutId;
    }
}
