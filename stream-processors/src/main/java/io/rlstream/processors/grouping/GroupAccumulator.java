package io.rlstream.processors.grouping;

import io.rlstream.deadletter.DeadLetters;
import io.rlstream.events.FinishReason;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.processors.advantage.GroupRewards;
import io.rlstream.processors.filter.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Collects each group's rollouts and rewards (keyed by group_id, so one task sees a whole group)
 * until the group is complete, then scores it: advantages over the usable samples, the group
 * filter, and one outcome record: the group with its samples when kept, an empty group carrying
 * only its filter counters when dropped. Either way the group's samples leave the stores.
 *
 * <p>A group of size G is complete when every sample index 0..G−1 has a rollout that is FAILED,
 * or an OK rollout with its reward (OK or FAILED). Usable samples are OK rollouts with OK rewards;
 * failed ones are left out of the group and its baseline, never counted as zero (ARCHITECTURE
 * rule 2). Rollouts and rewards are de-duplicated by rollout_id (a retried generation repeats it)
 * and rollouts also by sample index; records of a group that already completed are ignored.
 *
 * <p>Stores: rollouts and rewards under {@code group_id NUL rollout_id}, one record per sample so
 * that no changelog record grows with G; progress per group_id ({@link GroupProgress}).
 */
final class GroupAccumulator implements Processor<String, SpecificRecord, String, Routed<TrainingBatchGroup>> {

    /** Separates group_id from rollout_id in store keys; cannot occur in either id, so prefix scans are exact. */
    private static final char SEP = '\u0000';
    private static final StringSerializer KEYS = new StringSerializer();

    private final GroupingSettings settings;
    private final Serializer<Rollout> rolloutBytes;
    private final String service;
    private final GroupingCounters counters;
    private ProcessorContext<String, Routed<TrainingBatchGroup>> context;
    private KeyValueStore<String, Rollout> rollouts;
    private KeyValueStore<String, Reward> rewards;
    private KeyValueStore<String, GroupProgress> progress;

    GroupAccumulator(GroupingSettings settings, Serializer<Rollout> rolloutBytes, String service,
            GroupingCounters counters) {
        this.settings = settings;
        this.rolloutBytes = rolloutBytes;
        this.service = service;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<String, Routed<TrainingBatchGroup>> context) {
        this.context = context;
        this.rollouts = context.getStateStore(GroupingTopology.ROLLOUT_STORE);
        this.rewards = context.getStateStore(GroupingTopology.REWARD_STORE);
        this.progress = context.getStateStore(GroupingTopology.PROGRESS_STORE);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        String groupId = record.key();
        GroupProgress p = progress.get(groupId);
        if (p != null && p.done()) {
            counters.increment(GroupingCounters.LATE_RECORDS);
            return;
        }
        if (record.value() instanceof Rollout r) {
            onRollout(record, groupId, r, p);
        } else if (record.value() instanceof Reward w) {
            onReward(record, groupId, w, p);
        } else {
            throw new IllegalStateException("expected a Rollout or a Reward, got " + record.value().getClass());
        }
    }

    private void onRollout(Record<String, SpecificRecord> record, String groupId, Rollout r, GroupProgress p) {
        String key = sampleKey(groupId, r.getRolloutId());
        if (rollouts.get(key) != null) {
            counters.increment(GroupingCounters.DUPLICATES);
            return;
        }
        if (p == null) {
            p = GroupProgress.start(r.getGroupSize());
        } else if (p.groupSize() != r.getGroupSize()) {
            deadLetter(record, "rollout " + r.getRolloutId() + " says group_size " + r.getGroupSize()
                    + " but earlier rollouts of group " + groupId + " say " + p.groupSize());
            return;
        }
        if (p.hasSample(r.getSampleIndex())) {
            // Another rollout_id for a sample index already filled: a duplicate under a new id.
            counters.increment(GroupingCounters.DUPLICATES);
            return;
        }
        rollouts.put(key, r);
        boolean resolved = r.getStatus() != SampleStatus.OK || rewards.get(key) != null;
        advance(record, groupId, p.withSample(r.getSampleIndex(), resolved));
    }

    private void onReward(Record<String, SpecificRecord> record, String groupId, Reward w, GroupProgress p) {
        String key = sampleKey(groupId, w.getRolloutId());
        if (rewards.get(key) != null) {
            counters.increment(GroupingCounters.DUPLICATES);
            return;
        }
        rewards.put(key, w);
        // Before its rollout the reward just waits; the rollout resolves the sample when it comes.
        Rollout r = p == null ? null : rollouts.get(key);
        if (r != null && r.getStatus() == SampleStatus.OK) {
            advance(record, groupId, p.resolve(r.getSampleIndex()));
        }
    }

    private void advance(Record<String, SpecificRecord> record, String groupId, GroupProgress p) {
        if (p.complete()) {
            complete(record, groupId, p.groupSize());
        } else {
            progress.put(groupId, p);
        }
    }

    private void complete(Record<String, SpecificRecord> record, String groupId, int groupSize) {
        List<String> keys = new ArrayList<>();
        List<Rollout> groupRollouts = new ArrayList<>();
        Map<String, Reward> rewardById = new HashMap<>();
        String prefix = groupId + SEP;
        try (KeyValueIterator<String, Rollout> it = rollouts.prefixScan(prefix, KEYS)) {
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
        groupRollouts.sort(Comparator.comparingInt(Rollout::getSampleIndex));

        List<Rollout> usable = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        for (Rollout r : groupRollouts) {
            Reward w = rewardById.get(r.getRolloutId());
            if (r.getStatus() == SampleStatus.OK && w != null && w.getStatus() == SampleStatus.OK) {
                usable.add(r);
                scores.add(w.getScore());
            }
        }
        double[] rewardsOfGroup = scores.stream().mapToDouble(Double::doubleValue).toArray();
        int failed = groupSize - usable.size();
        Verdict verdict = settings.filter().judge(rewardsOfGroup);

        List<ScoredSample> samples = new ArrayList<>();
        if (verdict.kept()) {
            int[] lengths = usable.stream().mapToInt(r -> r.getResponseTokenIds().size()).toArray();
            float[] advantages = settings.estimator().advantages(new GroupRewards(rewardsOfGroup, lengths));
            for (int i = 0; i < usable.size(); i++) {
                samples.add(scored(usable.get(i), rewardsOfGroup[i], advantages[i]));
            }
        } else {
            // A dropped group still tells how hard its prompt is (prompt stats): keep its rewards
            // and versions, not its tokens, which nobody will train on.
            for (int i = 0; i < usable.size(); i++) {
                samples.add(ScoredSample.newBuilder(scored(usable.get(i), rewardsOfGroup[i], 0f))
                        .setPromptTokenIds(List.of()).setResponseTokenIds(List.of()).setBehaviourLogprobs(List.of())
                        .build());
            }
        }
        String promptId = groupRollouts.isEmpty() ? "" : groupRollouts.get(0).getPromptId();
        TrainingBatchGroup outcome = outcome(groupId, promptId, samples, FilterStats.ofGroup(verdict, failed),
                record.timestamp());

        keys.forEach(rollouts::delete);
        rewardKeys.forEach(rewards::delete);
        progress.put(groupId, GroupProgress.finished(groupSize));
        counters.groupCompleted(verdict, failed);
        context.forward(record.withValue(Routed.ok(outcome)));
    }

    private static ScoredSample scored(Rollout r, double reward, float advantage) {
        return ScoredSample.newBuilder()
                .setRolloutId(r.getRolloutId())
                .setPromptTokenIds(r.getPromptTokenIds())
                .setResponseTokenIds(r.getResponseTokenIds())
                .setBehaviourLogprobs(r.getBehaviourLogprobs())
                .setReward(reward)
                .setAdvantage(advantage)
                .setPolicyVersion(r.getPolicyVersion())
                .setTruncated(r.getFinishReason() == FinishReason.LENGTH)
                .build();
    }

    /**
     * A completed group on its way to the batch assembler: a {@link TrainingBatchGroup} whose batch
     * fields are not set yet (batch_id empty, sequence and index −1), whose samples are empty when
     * the group was dropped, and whose filter_stats are this group's contribution.
     * (Dropped groups' samples keep rewards and versions but no tokens.)
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
                // The time of the record that completed the group, not the wall clock: a replay gives the same output.
                .setCreatedAt(Instant.ofEpochMilli(timestamp))
                .build();
    }

    private void deadLetter(Record<String, SpecificRecord> record, String error) {
        counters.increment(GroupingCounters.DEAD_LETTERS);
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        byte[] value = rolloutBytes.serialize(meta.topic(), (Rollout) record.value());
        context.forward(record.withValue(Routed.dead(DeadLetters.of(service, meta.topic(), meta.partition(),
                meta.offset(), record.key().getBytes(StandardCharsets.UTF_8), value, error, null))));
    }

    static String sampleKey(String groupId, String rolloutId) {
        return groupId + SEP + rolloutId;
    }
}
