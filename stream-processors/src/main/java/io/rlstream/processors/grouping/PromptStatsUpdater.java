package io.rlstream.processors.grouping;

import io.rlstream.events.PromptStats;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import java.time.Instant;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Running statistics per prompt from every completed group, kept or dropped, published to the
 * compacted rl.prompt-stats topic keyed by prompt_id. It runs on the single-partition outcome
 * stream, so each prompt's statistics have one writer.
 *
 * <p>A sample passes when it was correct (its reward's correctness component was positive; a
 * positive reward where that is unknown), not when its reward is positive: with
 * {@code reward.incorrect = -1}, format or overlong components the mean reward is no pass rate
 * (issue 15). pass_rate is the share of passes over all groups seen, last_group_pass_rate the
 * share in the last group (what the curriculum selectors read);
 * moving_average is an exponential moving average of the group pass rate with weight
 * {@code prompt-stats.ema-weight} (0.1 by default) on the newest group (the first group sets it). {@code groups} counts every
 * completed group of the prompt, so summing it over the latest record of every prompt gives the
 * number of groups the grouping app has resolved; the dispatcher uses that sum as its completion
 * count, which keeps work waiting inside this app counted as in flight. The last group's id, size
 * and mean reward ride along, so that curriculum selectors learn from each group as it completes
 * (PCL's value model is trained on the group's mean reward).
 */
final class PromptStatsUpdater implements Processor<String, TrainingBatchGroup, String, PromptStats> {

    private final double emaWeight;
    private ProcessorContext<String, PromptStats> context;
    private KeyValueStore<String, PromptStats> store;

    PromptStatsUpdater(double emaWeight) {
        this.emaWeight = emaWeight;
    }

    @Override
    public void init(ProcessorContext<String, PromptStats> context) {
        this.context = context;
        this.store = context.getStateStore(GroupingTopology.PROMPT_STATS_STORE);
    }

    @Override
    public void process(Record<String, TrainingBatchGroup> record) {
        TrainingBatchGroup group = record.value();
        String promptId = group.getPromptId();
        if (promptId == null || promptId.isEmpty()) {
            return;
        }
        PromptStats updated = update(store.get(promptId), group, record.timestamp(), emaWeight);
        store.put(promptId, updated);
        context.forward(new Record<>(promptId, updated, record.timestamp()));
    }

    /**
     * Whether a sample counts as a pass: its correctness component was positive; where the reward
     * had none (feedback only, or samples that predate the field), a positive reward.
     */
    static boolean passed(ScoredSample s) {
        return s.getCorrect() != null ? s.getCorrect() : s.getReward() > 0;
    }

    /** The statistics after one more completed group. Pure, for tests. */
    static PromptStats update(PromptStats previous, TrainingBatchGroup group, long timestamp, double emaWeight) {
        long passes = 0;
        double rewardSum = 0;
        long version = previous == null ? -1 : previous.getLastPolicyVersion();
        for (ScoredSample s : group.getSamples()) {
            if (passed(s)) {
                passes++;
            }
            rewardSum += s.getReward();
            version = Math.max(version, s.getPolicyVersion());
        }
        int n = group.getSamples().size();
        long samplesBefore = previous == null ? 0 : previous.getSamples();
        double passesBefore = previous == null ? 0 : previous.getPassRate() * samplesBefore;
        long samples = samplesBefore + n;
        double groupRate = n == 0 ? Double.NaN : (double) passes / n;
        double ema;
        if (previous == null || previous.getGroups() == 0 || Double.isNaN(previous.getMovingAverage())) {
            ema = n == 0 ? 0.0 : groupRate;
        } else {
            ema = n == 0 ? previous.getMovingAverage()
                    : (1 - emaWeight) * previous.getMovingAverage() + emaWeight * groupRate;
        }
        return PromptStats.newBuilder()
                .setPromptId(group.getPromptId())
                .setSamples(samples)
                .setGroups((previous == null ? 0 : previous.getGroups()) + 1)
                .setPassRate(samples == 0 ? 0.0 : (passesBefore + passes) / samples)
                .setMovingAverage(ema)
                .setLastPolicyVersion(version)
                .setUpdatedAt(Instant.ofEpochMilli(timestamp))
                .setLastGroupId(group.getGroupId() == null ? "" : group.getGroupId())
                .setLastGroupSamples(n)
                .setLastGroupMeanReward(n == 0 ? null : rewardSum / n)
                .setLastGroupPassRate(n == 0 ? null : groupRate)
                .setKeptGroups((previous == null ? 0 : previous.getKeptGroups())
                        + (group.getFilterStats().getOrDefault(FilterStats.GROUPS_KEPT, 0L) > 0 ? 1 : 0))
                .build();
    }
}
