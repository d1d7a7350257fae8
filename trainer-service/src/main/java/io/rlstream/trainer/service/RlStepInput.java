package io.rlstream.trainer.service;

import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_CLIP_FRACTION;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_EFFECTIVE_RATIO;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_ENTROPY;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_GRAD_NORM;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_GROUPS;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_IS_MASKED_FRACTION;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_IS_TRUNCATED_FRACTION;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_IS_WEIGHT_MAX;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_IS_WEIGHT_MEAN;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_KL;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_KL_COEF;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_LOSS;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_POLICY_LOSS;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_RATIO_MEAN;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_REWARD_MEAN;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_SAMPLES;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_STALENESS_HISTOGRAM;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_STALENESS_MAX;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_STALENESS_MEAN;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_TOKENS;
import static io.rlstream.monitoring.metrics.MetricCatalog.TRAINER_TOKENS_PER_SECOND;

import io.rlstream.rollouts.TokenResolver;
import io.rlstream.tokens.Tokens;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.monitoring.metrics.MetricName;
import io.rlstream.trainer.core.PolicyTrainer;
import io.rlstream.trainer.core.StepStats;
import io.rlstream.trainer.core.TrainingSample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;

/** rl mode: whole training batches from rl.training-batches, one RL step each. */
final class RlStepInput implements StepInput {

    private final BatchCollector collector = new BatchCollector();
    private final LongSupplier currentVersion;
    private final int lossMaxLength;
    private final int vocab;
    private final TokenResolver resolver;

    /** Inline batches only: a batch written by reference is refused (tests that need no broker). */
    RlStepInput(LongSupplier currentVersion, int lossMaxLength, int vocab) {
        this(currentVersion, lossMaxLength, vocab, noRollouts());
    }

    /**
     * @param currentVersion the version of the weights being trained, for the batch's staleness
     * @param lossMaxLength  trainer.loss.max-length: Dr.GRPO's constant L; 0 takes each sample's generation limit
     * @param vocab          the policy's vocabulary size, which every token id must lie below
     * @param resolver       fetches the tokens of batches written by reference from rl.rollouts
     */
    RlStepInput(LongSupplier currentVersion, int lossMaxLength, int vocab, TokenResolver resolver) {
        this.currentVersion = currentVersion;
        this.lossMaxLength = lossMaxLength;
        this.vocab = vocab;
        this.resolver = resolver;
    }

    /** A resolver without a log: every batch written by reference is refused as unreadable. */
    static TokenResolver noRollouts() {
        return new TokenResolver(() -> {
            throw new IllegalStateException("this trainer input has no rollout log to resolve batches written by reference");
        });
    }

    @Override
    public Class<? extends SpecificRecord> eventType() {
        return TrainingBatchGroup.class;
    }

    @Override
    public Optional<Step> add(SpecificRecord event, long offset) {
        return collector.add((TrainingBatchGroup) event, offset).map(batch -> step(batch, resolver, vocab, true,
                groups -> trainer -> train(trainer, groups, currentVersion.getAsLong(), lossMaxLength)));
    }

    /**
     * The step of a complete batch, or the batch refused whole when one of its records is invalid
     * ({@link InputChecks#trainingBatch}): it is one transaction and is never trained in part. A
     * batch written by reference gets its tokens from rl.rollouts first ({@link TokenResolver}),
     * so the checks and the step see it as if it had been written inline; one whose rollouts are
     * gone is refused whole, never trained on empty samples.
     */
    static Step step(BatchCollector.Batch batch, TokenResolver resolver, int vocab, boolean needAdvantages,
            java.util.function.Function<List<TrainingBatchGroup>,
                    java.util.function.Function<PolicyTrainer, Map<MetricName, Double>>> train) {
        List<String> ids = List.of(batch.groups().get(0).getBatchId());
        TokenResolver.ResolvedBatch resolved = resolver.resolve(batch.groups());
        if (!resolved.missing().isEmpty()) {
            Map<Long, String> invalid = new LinkedHashMap<>();
            resolved.missing().forEach((index, problem) -> invalid.put(batch.offsets().get(index), problem));
            return Step.rolloutsMissing(ids, batch.offsets(), invalid, resolved.missingSamples());
        }
        List<TrainingBatchGroup> groups = resolved.groups();
        Map<Integer, String> problems = InputChecks.trainingBatch(groups, vocab, needAdvantages);
        if (problems.isEmpty()) {
            return new Step(ids, train.apply(groups), batch.offsets());
        }
        Map<Long, String> invalid = new LinkedHashMap<>();
        problems.forEach((index, problem) -> invalid.put(batch.offsets().get(index), problem));
        return Step.refused(ids, batch.offsets(), invalid);
    }

    /** Staleness histogram buckets: 0 .. 7 versions, then 8 or more. */
    static final int STALENESS_BUCKETS = 9;

    /** The metric of a staleness bucket: trainer.staleness_0 .. staleness_7, staleness_8plus (samples of the batch). */
    static MetricName stalenessBucket(int k) {
        String bucket = k == STALENESS_BUCKETS - 1 ? k + "plus" : Integer.toString(k);
        return TRAINER_STALENESS_HISTOGRAM.withSuffix(bucket);
    }

    /**
     * Samples of the batch by staleness, the versions between the weights being trained and the
     * weights that generated the sample: bucket k holds staleness k, the last bucket everything from
     * {@code STALENESS_BUCKETS − 1} on (a sample from newer weights, which cannot happen, counts as 0).
     */
    static long[] stalenessHistogram(List<TrainingBatchGroup> batch, long version) {
        long[] counts = new long[STALENESS_BUCKETS];
        for (TrainingBatchGroup group : batch) {
            for (ScoredSample s : group.getSamples()) {
                counts[(int) Math.max(0, Math.min(STALENESS_BUCKETS - 1, version - s.getPolicyVersion()))]++;
            }
        }
        return counts;
    }

    /** One policy update on a complete batch; returns the step's metrics. */
    static Map<MetricName, Double> train(PolicyTrainer trainer, List<TrainingBatchGroup> batch, long version) {
        return train(trainer, batch, version, 0);
    }

    /**
     * One policy update on a complete batch; each sample is scored at the temperature it was
     * generated with and, under Dr.GRPO's aggregation, normalised by {@code lossMaxLength} or else
     * by the generation limit it was produced with (docs/algorithms.md#loss-aggregations).
     */
    static Map<MetricName, Double> train(PolicyTrainer trainer, List<TrainingBatchGroup> batch, long version,
            int lossMaxLength) {
        List<TrainingSample> samples = samples(batch, lossMaxLength);
        double rewardSum = 0;
        double stalenessSum = 0;
        long stalenessMax = 0;

        for (TrainingBatchGroup group : batch) {
            for (ScoredSample s : group.getSamples()) {
                rewardSum += s.getReward();
                stalenessSum += version - s.getPolicyVersion();
                stalenessMax = Math.max(stalenessMax, version - s.getPolicyVersion());
            }
        }
        Map<MetricName, Double> m = new LinkedHashMap<>();
        m.put(TRAINER_SAMPLES, (double) samples.size());
        m.put(TRAINER_GROUPS, (double) batch.size());
        if (samples.isEmpty()) {
            // PF-PPO reweighting can leave groups without samples; a batch of nothing trains nothing.
            m.put(TRAINER_TOKENS, 0.0);
            return m;
        }
        StepStats stats = trainer.rlStep(samples);
        Map<String, Long> filter = batch.get(0).getFilterStats();
        long completed = filter.getOrDefault("groups_completed", 0L);
        long kept = filter.getOrDefault("groups_kept", 0L);
        m.put(TRAINER_LOSS, stats.loss());
        m.put(TRAINER_POLICY_LOSS, stats.policyLoss());
        m.put(TRAINER_KL, stats.kl());
        m.put(TRAINER_KL_COEF, stats.klCoef());
        m.put(TRAINER_ENTROPY, stats.entropy());
        m.put(TRAINER_CLIP_FRACTION, stats.clipFraction());
        m.put(TRAINER_RATIO_MEAN, stats.meanRatio());
        m.put(TRAINER_GRAD_NORM, stats.gradNorm());
        m.put(TRAINER_IS_WEIGHT_MEAN, stats.weightMean());
        m.put(TRAINER_IS_WEIGHT_MAX, stats.weightMax());
        m.put(TRAINER_IS_TRUNCATED_FRACTION, stats.fractionTruncated());
        m.put(TRAINER_IS_MASKED_FRACTION, stats.fractionMasked());
        m.put(TRAINER_REWARD_MEAN, rewardSum / samples.size());
        m.put(TRAINER_STALENESS_MEAN, stalenessSum / samples.size());
        m.put(TRAINER_STALENESS_MAX, (double) stalenessMax);
        long[] histogram = stalenessHistogram(batch, version);
        for (int k = 0; k < STALENESS_BUCKETS; k++) {
            m.put(stalenessBucket(k), (double) histogram[k]);
        }
        if (completed > 0) {
            m.put(TRAINER_EFFECTIVE_RATIO, (double) kept / completed);
        }
        m.put(TRAINER_TOKENS, (double) stats.tokens());
        m.put(TRAINER_TOKENS_PER_SECOND, stats.tokensPerSecond());
        return m;
    }

    /** The samples of a batch with its tokens as the rl step takes them, in record and sample order. */
    static List<TrainingSample> samples(List<TrainingBatchGroup> batch, int lossMaxLength) {
        List<TrainingSample> samples = new ArrayList<>();
        for (TrainingBatchGroup group : batch) {
            for (ScoredSample s : group.getSamples()) {
                int maxLength = lossMaxLength > 0 ? lossMaxLength
                        : s.getMaxNewTokens() == null ? 0 : Math.max(0, s.getMaxNewTokens());
                samples.add(new TrainingSample(Tokens.promptIds(s), Tokens.responseIds(s),
                        Tokens.logprobs(s), s.getAdvantage(), s.getTruncated(),
                        s.getTemperature() == null ? Float.NaN : s.getTemperature(), maxLength));
            }
        }
        return samples;
    }

    static int[] ints(List<Integer> values) {
        int[] out = new int[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
