package io.rlstream.trainer.service;

import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_CLIP_FRACTION;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_EFFECTIVE_RATIO;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_ENTROPY;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_GRAD_NORM;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_GROUPS;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_LOSS;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_MARGIN_MEAN;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_PAIRS;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_POLICY_LOSS;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_RATIO_MEAN;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_REWARD_ACCURACY;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_REWARD_MEAN;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_SAMPLES;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_STALENESS_MAX;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_STALENESS_MEAN;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_TOKENS;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_TOKENS_PER_SECOND;

import io.rlstream.rollouts.TokenResolver;
import io.rlstream.tokens.Tokens;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.monitoring.metrics.MetricName;
import io.rlstream.trainer.core.GroupSample;
import io.rlstream.trainer.core.GroupStepStats;
import io.rlstream.trainer.core.PolicyTrainer;
import io.rlstream.trainer.core.StepStats;
import io.rlstream.trainer.objective.GroupObjective;
import io.rlstream.trainer.objective.LipoLambda;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;

/**
 * group mode: the same batches as rl mode, from rl.training-batches (one scored group per record,
 * a batch complete when all its records are in), one group-objective step each; the groups stay
 * whole (docs/algorithms.md#group-objectives). The advantages the processors computed are not
 * used: NFT and LiPO-λ read the rewards.
 */
final class GroupStepInput implements StepInput {

    private final BatchCollector collector = new BatchCollector();
    private final GroupObjective objective;
    private final LongSupplier currentVersion;
    private final int vocab;
    private final TokenResolver resolver;

    /** Inline batches only: a batch written by reference is refused (tests that need no broker). */
    GroupStepInput(GroupObjective objective, LongSupplier currentVersion, int vocab) {
        this(objective, currentVersion, vocab, RlStepInput.noRollouts());
    }

    /**
     * @param vocab    the policy's vocabulary size, which every token id must lie below
     * @param resolver fetches the tokens of batches written by reference from rl.rollouts
     */
    GroupStepInput(GroupObjective objective, LongSupplier currentVersion, int vocab, TokenResolver resolver) {
        this.objective = objective;
        this.currentVersion = currentVersion;
        this.vocab = vocab;
        this.resolver = resolver;
    }

    @Override
    public Class<? extends SpecificRecord> eventType() {
        return TrainingBatchGroup.class;
    }

    @Override
    public Optional<Step> add(SpecificRecord event, long offset) {
        // The batch is checked whole once complete (RlStepInput.step): a record with unusable
        // samples makes it a dead letter, record by record, and it is not trained.
        return collector.add((TrainingBatchGroup) event, offset).map(batch -> RlStepInput.step(batch, resolver, vocab, false,
                groups -> trainer -> train(trainer, groups, objective, currentVersion.getAsLong())));
    }

    /** The groups of a batch as the trainer takes them: one list per record, in group order. */
    static List<List<GroupSample>> groups(List<TrainingBatchGroup> batch) {
        List<List<GroupSample>> groups = new ArrayList<>(batch.size());
        for (TrainingBatchGroup record : batch) {
            List<GroupSample> group = new ArrayList<>(record.getSamples().size());
            for (ScoredSample s : record.getSamples()) {
                group.add(new GroupSample(Tokens.promptIds(s), Tokens.responseIds(s), Tokens.logprobs(s), s.getReward(), s.getTruncated(),
                        s.getTemperature() == null ? Float.NaN : s.getTemperature()));
            }
            groups.add(group);
        }
        return groups;
    }

    /** One group-objective step on a complete batch; returns the step's metrics. */
    static Map<MetricName, Double> train(PolicyTrainer trainer, List<TrainingBatchGroup> batch, GroupObjective objective,
            long version) {
        List<List<GroupSample>> groups = groups(batch);
        double rewardSum = 0;
        double stalenessSum = 0;
        long stalenessMax = 0;
        int samples = 0;
        for (TrainingBatchGroup record : batch) {
            for (ScoredSample s : record.getSamples()) {
                rewardSum += s.getReward();
                stalenessSum += version - s.getPolicyVersion();
                stalenessMax = Math.max(stalenessMax, version - s.getPolicyVersion());
                samples++;
            }
        }
        Map<MetricName, Double> m = new LinkedHashMap<>();
        m.put(TRAINER_SAMPLES, (double) samples);
        m.put(TRAINER_GROUPS, (double) batch.size());
        if (samples == 0) {
            m.put(TRAINER_TOKENS, 0.0);
            return m;
        }
        GroupStepStats result = trainer.groupStep(groups, objective);
        StepStats stats = result.step();
        m.put(TRAINER_LOSS, stats.loss());
        m.put(TRAINER_POLICY_LOSS, stats.policyLoss());
        m.put(TRAINER_ENTROPY, stats.entropy());
        m.put(TRAINER_GRAD_NORM, stats.gradNorm());
        if (objective instanceof LipoLambda) {
            m.put(TRAINER_PAIRS, (double) result.terms());
            m.put(TRAINER_REWARD_ACCURACY, result.rankAccuracy());
            m.put(TRAINER_MARGIN_MEAN, result.meanMargin());
        } else {
            m.put(TRAINER_CLIP_FRACTION, stats.clipFraction());
            m.put(TRAINER_RATIO_MEAN, stats.meanRatio());
        }
        m.put(TRAINER_REWARD_MEAN, rewardSum / samples);
        m.put(TRAINER_STALENESS_MEAN, stalenessSum / samples);
        m.put(TRAINER_STALENESS_MAX, (double) stalenessMax);
        Map<String, Long> filter = batch.get(0).getFilterStats();
        long completed = filter.getOrDefault("groups_completed", 0L);
        if (completed > 0) {
            m.put(TRAINER_EFFECTIVE_RATIO, (double) filter.getOrDefault("groups_kept", 0L) / completed);
        }
        m.put(TRAINER_TOKENS, (double) stats.tokens());
        m.put(TRAINER_TOKENS_PER_SECOND, stats.tokensPerSecond());
        return m;
    }
}
