package io.rlstream.reward.stream;

import io.rlstream.events.Prompt;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.RolloutSummary;
import io.rlstream.reward.score.RewardScorer;
import io.rlstream.tokens.Tokens;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/**
 * Scores rollouts in batches across records: each scorable rollout waits in a store (changelogged,
 * so it is in the same exactly-once transaction as the input offset it came with) until
 * {@link RewardTopology.Batching#size()} are pending, or until the wall-clock punctuation every
 * {@link RewardTopology.Batching#linger()} sends what is there. A group's responses, which the
 * generator writes together, reach the endpoint in one request. Rollouts that cannot be scored (a
 * failed generation, an unknown prompt) get their FAILED reward at once. After a restart the
 * restored store's rollouts are scored at the first punctuation: each exactly once. Every reward
 * carries its rollout's summary and position on rl.rollouts, kept beside the pending rollout in a
 * second store; a rollout restored from a version before the summaries has none, and its reward
 * goes without (docs/operations.md#upgrading-to-rollout-summaries-in-rewards-issue-18).
 */
final class BatchScoreProcessor implements Processor<String, PlacedRollout, String, Reward> {

    private final RewardScorer scorer;
    private final RewardTopology.Batching batching;
    private final RewardStats stats;
    private ProcessorContext<String, Reward> context;
    private KeyValueStore<String, Rollout> pending;
    private KeyValueStore<String, RolloutSummary> summaries;
    private KeyValueStore<String, ValueAndTimestamp<Prompt>> prompts;
    private int count;

    BatchScoreProcessor(RewardScorer scorer, RewardTopology.Batching batching, RewardStats stats) {
        this.scorer = scorer;
        this.batching = batching;
        this.stats = stats;
    }

    @Override
    public void init(ProcessorContext<String, Reward> context) {
        this.context = context;
        this.pending = context.getStateStore(RewardTopology.PENDING_STORE);
        this.summaries = context.getStateStore(RewardTopology.PENDING_SUMMARY_STORE);
        // The global table's store; every processor may read global stores.
        this.prompts = context.getStateStore(RewardTopology.PROMPT_STORE);
        try (KeyValueIterator<String, Rollout> all = pending.all()) {
            while (all.hasNext()) {
                all.next();
                count++;
            }
        }
        context.schedule(batching.linger(), PunctuationType.WALL_CLOCK_TIME, now -> flush(now));
    }

    @Override
    public void process(Record<String, PlacedRollout> record) {
        PlacedRollout placed = record.value();
        Rollout rollout = placed.rollout();
        Reward unscorable = RewardTopology.unscorable(placed, prompt(rollout), scorer, stats);
        if (unscorable != null) {
            context.forward(record.withKey(unscorable.getGroupId()).withValue(unscorable));
            return;
        }
        if (pending.putIfAbsent(rollout.getRolloutId(), rollout) == null) {
            summaries.put(rollout.getRolloutId(), placed.summary());
            count++;
        }
        if (count >= batching.size()) {
            flush(record.timestamp());
        }
    }

    private Prompt prompt(Rollout rollout) {
        ValueAndTimestamp<Prompt> p = prompts.get(rollout.getPromptId());
        return p == null ? null : p.value();
    }

    /** Scores every pending rollout (in requests of at most the batch size) and forwards the rewards. */
    private void flush(long timestamp) {
        if (count == 0) {
            return;
        }
        List<PlacedRollout> batch = new ArrayList<>(count);
        try (KeyValueIterator<String, Rollout> all = pending.all()) {
            while (all.hasNext()) {
                KeyValue<String, Rollout> next = all.next();
                batch.add(new PlacedRollout(next.value, summaries.get(next.key), null));
            }
        }
        for (int from = 0; from < batch.size(); from += batching.size()) {
            send(batch.subList(from, Math.min(batch.size(), from + batching.size())), timestamp);
        }
        count = 0;
    }

    private void send(List<PlacedRollout> rollouts, long timestamp) {
        List<PlacedRollout> scorable = new ArrayList<>(rollouts.size());
        List<RewardScorer.Input> inputs = new ArrayList<>(rollouts.size());
        for (PlacedRollout placed : rollouts) {
            Rollout r = placed.rollout();
            Prompt p = prompt(r);
            Reward unscorable = RewardTopology.unscorable(placed, p, scorer, stats);
            if (unscorable != null) {
                // The prompt was deleted while the rollout waited.
                forward(placed, unscorable, timestamp);
                continue;
            }
            scorable.add(placed);
            inputs.add(new RewardScorer.Input(p.getText(), r.getResponseText(), p.getReferenceAnswer(),
                    Tokens.responseLength(r)));
        }
        List<RewardScorer.Scored> scored = scorer.scoreAll(inputs);
        for (int i = 0; i < scorable.size(); i++) {
            forward(scorable.get(i), RewardTopology.scored(scorable.get(i), scored.get(i), scorer, stats), timestamp);
        }
    }

    private void forward(PlacedRollout placed, Reward reward, long timestamp) {
        context.forward(new Record<>(reward.getGroupId(), reward, timestamp));
        pending.delete(placed.rollout().getRolloutId());
        summaries.delete(placed.rollout().getRolloutId());
    }
}
