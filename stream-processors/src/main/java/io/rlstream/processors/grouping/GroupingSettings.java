package io.rlstream.processors.grouping;

import io.rlstream.processors.feedback.FeedbackMerge;
import io.rlstream.processors.advantage.AdvantageEstimator;
import io.rlstream.processors.advantage.AdvantageEstimators;
import io.rlstream.processors.advantage.AdvantageOptions;
import io.rlstream.processors.advantage.Grpo;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.processors.filter.DynamicSampling;
import io.rlstream.processors.filter.GroupFilter;
import io.rlstream.processors.filter.StalenessFilter;
import io.rlstream.processors.filtration.BatchReweighting;
import io.rlstream.processors.filtration.BatchReweightings;
import io.rlstream.processors.filtration.PolicyFiltration;
import io.rlstream.processors.filtration.KeepAll;
import io.rlstream.processors.filtration.PolicyFiltrations;
import io.rlstream.events.BatchTokens;
import java.util.Optional;

/**
 * What the grouping topology computes, in the order it applies it: how groups close (timeout,
 * minimum usable samples, how long closed groups are remembered), which samples count (staleness),
 * the advantage estimator, the group filter, overlong marking, preference pairs, PF-PPO's
 * per-group filtration and batch reweighting, and the batches (B, id prefix).
 *
 * @param estimatorName   name written to {@code TrainingBatchGroup.estimator}, e.g. {@code grpo}
 * @param estimator       turns a group's usable rewards into advantages (and maybe normalises a batch)
 * @param filter          decides which completed groups go on to training (a {@code filter.group} entry)
 * @param markTruncated   overlong filtering: mark responses that hit the length limit so the trainer masks them
 * @param staleness       drops samples older than the current policy version − η before a group is scored
 * @param filtrationName  PF-PPO per-group strategy name ({@code none} keeps all samples)
 * @param filtration      PF-PPO per-group strategy
 * @param reweightingName verl's PF-PPO batch reweighting name, {@code none} for no resampling
 * @param reweighting     the reweighting, empty for {@code none} (no resampling)
 * @param filtrationSeed  seed of PF-PPO's random choices; mixed with the group id or batch sequence, so a replay draws the same
 * @param batchGroups     B: groups per training batch
 * @param batchIdPrefix   batch ids are {@code <prefix>-<batch_sequence>}; the application id by default
 * @param groupTimeoutMs  a group still open this long after its first record closes with the samples it has
 * @param minSamples      a timed-out group goes on only with at least this many usable samples
 * @param retentionMs     how long a closed group is remembered, so its late records are counted and dropped
 * @param preferencePairs write best-vs-worst pairs of every group with a reward contrast to rl.preference-pairs
 * @param emaWeight       weight of the newest group in the prompt-stats moving average
 * @param feedback        how user feedback combines with the verifier's reward, and how long groups wait for it
 * @param maxGenerationRounds DAPO's cap on generation rounds per batch (verl max_num_gen_batches): when
 *                        this many times B groups completed since the last batch without filling it, the
 *                        groups kept so far go as a smaller batch; 0 never
 */
public record GroupingSettings(String estimatorName, AdvantageEstimator estimator, GroupFilter filter,
        boolean markTruncated, StalenessFilter staleness, String filtrationName, PolicyFiltration filtration,
        String reweightingName, Optional<BatchReweighting> reweighting, long filtrationSeed, int batchGroups,
        String batchIdPrefix, long groupTimeoutMs, int minSamples, long retentionMs, boolean preferencePairs,
        double emaWeight, FeedbackMerge feedback, int maxGenerationRounds, BatchTokens batchTokens) {

    /** DAPO's cap on generation rounds per batch (verl's DAPO recipe, max_num_gen_batches = 10). */
    public static final int DEFAULT_MAX_GENERATION_ROUNDS = 10;

    /** Default B (groups per batch). */
    public static final int DEFAULT_BATCH_GROUPS = 16;

    public GroupingSettings {
        if (estimatorName == null || estimatorName.isEmpty() || estimator == null) {
            throw new IllegalArgumentException("an advantage estimator and its name are required, got "
                    + estimatorName + " / " + estimator);
        }
        if (filter == null) {
            throw new IllegalArgumentException("a group filter is required (NonEmpty filters nothing)");
        }
        if (staleness == null) {
            throw new IllegalArgumentException("a staleness filter is required (StalenessFilter.off() drops nothing)");
        }
        if (filtration == null || filtrationName == null) {
            throw new IllegalArgumentException("a PF-PPO filtration and its name are required ('none' keeps all)");
        }
        if (reweightingName == null || reweighting == null) {
            throw new IllegalArgumentException("a batch reweighting and its name are required (Optional.empty() for 'none')");
        }
        if (batchGroups < 1) {
            throw new IllegalArgumentException("batch size in groups must be >= 1, got " + batchGroups);
        }
        if (batchIdPrefix == null || batchIdPrefix.isEmpty()) {
            throw new IllegalArgumentException("batch id prefix must not be empty");
        }
        if (groupTimeoutMs < 1 || retentionMs < 1) {
            throw new IllegalArgumentException("group timeout and retention must be >= 1 ms, got "
                    + groupTimeoutMs + " and " + retentionMs);
        }
        if (minSamples < 1) {
            throw new IllegalArgumentException("minimum usable samples of a timed-out group must be >= 1, got " + minSamples);
        }
        if (maxGenerationRounds < 0) {
            throw new IllegalArgumentException("generation round cap must be >= 0 (0: none), got " + maxGenerationRounds);
        }
        if (batchTokens == null) {
            throw new IllegalArgumentException("batch tokens (INLINE or REFERENCE) are required");
        }
        if (feedback == null) {
            throw new IllegalArgumentException("a feedback merge is required (FeedbackMerge.defaults())");
        }
        if (!(emaWeight > 0 && emaWeight <= 1)) {
            throw new IllegalArgumentException("prompt-stats moving-average weight must be in (0, 1], got " + emaWeight);
        }
    }

    /** Batches with their tokens inline (the settings before batch.tokens). */
    public GroupingSettings(String estimatorName, AdvantageEstimator estimator, GroupFilter filter,
            boolean markTruncated, StalenessFilter staleness, String filtrationName, PolicyFiltration filtration,
            String reweightingName, Optional<BatchReweighting> reweighting, long filtrationSeed, int batchGroups,
            String batchIdPrefix, long groupTimeoutMs, int minSamples, long retentionMs, boolean preferencePairs,
            double emaWeight, FeedbackMerge feedback, int maxGenerationRounds) {
        this(estimatorName, estimator, filter, markTruncated, staleness, filtrationName, filtration, reweightingName,
                reweighting, filtrationSeed, batchGroups, batchIdPrefix, groupTimeoutMs, minSamples, retentionMs,
                preferencePairs, emaWeight, feedback, maxGenerationRounds, BatchTokens.INLINE);
    }

    /** The settings a deployment configured; the application id is the batch id prefix. */
    public static GroupingSettings from(ProcessorsConfig config) {
        String reweight = config.getString(ProcessorsConfig.PF_PPO_REWEIGHT);
        String filtration = config.getString(ProcessorsConfig.PF_PPO);
        return new GroupingSettings(config.getString(ProcessorsConfig.ADVANTAGE_ESTIMATOR), config.estimator(),
                config.groupFilter(),
                config.getBoolean(ProcessorsConfig.OVERLONG),
                new StalenessFilter(config.getInt(ProcessorsConfig.MAX_STALENESS)),
                filtration, PolicyFiltrations.FAMILY.create(filtration, null),
                reweight, BatchReweightings.FAMILY.create(reweight, null),
                config.getLong(ProcessorsConfig.PF_PPO_SEED),
                config.getInt(ProcessorsConfig.BATCH_GROUPS), config.getString(ProcessorsConfig.APPLICATION_ID),
                config.getLong(ProcessorsConfig.GROUP_TIMEOUT_MS), config.getInt(ProcessorsConfig.GROUP_MIN_SAMPLES),
                config.getLong(ProcessorsConfig.GROUP_RETENTION_MS), config.getBoolean(ProcessorsConfig.PAIRS),
                config.getDouble(ProcessorsConfig.EMA_WEIGHT),
                new FeedbackMerge(config.getEnum(ProcessorsConfig.FEEDBACK, FeedbackMerge.Mode.class),
                        config.getDouble(ProcessorsConfig.FEEDBACK_WEIGHT), config.getLong(ProcessorsConfig.FEEDBACK_WAIT_MS)),
                config.getInt(ProcessorsConfig.MAX_GENERATION_ROUNDS),
                BatchTokens.valueOf(config.getString(ProcessorsConfig.BATCH_TOKENS).toUpperCase(java.util.Locale.ROOT)));
    }

    /**
     * GRPO (sample std, ε 1e-6), dynamic sampling, no overlong marking, no staleness bound, no
     * PF-PPO, B = 16, groups time out after 5 minutes with at least 2 usable samples, closed groups
     * remembered for an hour, preference pairs on, moving-average weight 0.1.
     */
    public static GroupingSettings defaults(String batchIdPrefix) {
        return new GroupingSettings(Grpo.NAME, new Grpo(), new DynamicSampling(), false, StalenessFilter.off(),
                KeepAll.NAME, new KeepAll(), BatchReweightings.NONE, Optional.empty(), 0L, DEFAULT_BATCH_GROUPS, batchIdPrefix,
                300_000L, 2, 3_600_000L, true, 0.1, FeedbackMerge.defaults(), DEFAULT_MAX_GENERATION_ROUNDS,
                BatchTokens.INLINE);
    }

    public GroupingSettings withBatchGroups(int b) {
        return new GroupingSettings(estimatorName, estimator, filter, markTruncated, staleness, filtrationName,
                filtration, reweightingName, reweighting, filtrationSeed, b, batchIdPrefix, groupTimeoutMs,
                minSamples, retentionMs, preferencePairs, emaWeight, feedback, maxGenerationRounds, batchTokens);
    }

    public GroupingSettings withFilter(GroupFilter f) {
        return new GroupingSettings(estimatorName, estimator, f, markTruncated, staleness, filtrationName,
                filtration, reweightingName, reweighting, filtrationSeed, batchGroups, batchIdPrefix, groupTimeoutMs,
                minSamples, retentionMs, preferencePairs, emaWeight, feedback, maxGenerationRounds, batchTokens);
    }

    /** The estimator registered under {@code name} with default options. */
    public GroupingSettings withEstimator(String name) {
        return new GroupingSettings(name, AdvantageEstimators.FAMILY.create(name, AdvantageOptions.defaults()), filter,
                markTruncated, staleness, filtrationName, filtration, reweightingName, reweighting, filtrationSeed,
                batchGroups, batchIdPrefix, groupTimeoutMs, minSamples, retentionMs, preferencePairs, emaWeight, feedback, maxGenerationRounds, batchTokens);
    }

    public GroupingSettings withMarkTruncated(boolean mark) {
        return new GroupingSettings(estimatorName, estimator, filter, mark, staleness, filtrationName, filtration,
                reweightingName, reweighting, filtrationSeed, batchGroups, batchIdPrefix, groupTimeoutMs, minSamples,
                retentionMs, preferencePairs, emaWeight, feedback, maxGenerationRounds, batchTokens);
    }

    public GroupingSettings withStaleness(int maxStaleness) {
        return new GroupingSettings(estimatorName, estimator, filter, markTruncated, new StalenessFilter(maxStaleness),
                filtrationName, filtration, reweightingName, reweighting, filtrationSeed, batchGroups, batchIdPrefix,
                groupTimeoutMs, minSamples, retentionMs, preferencePairs, emaWeight, feedback, maxGenerationRounds, batchTokens);
    }

    /** PF-PPO: a per-group strategy and a batch reweighting by name ({@code none} for either), with a seed. */
    public GroupingSettings withPfPpo(String strategy, String reweight, long seed) {
        return new GroupingSettings(estimatorName, estimator, filter, markTruncated, staleness, strategy,
                PolicyFiltrations.FAMILY.create(strategy, null), reweight, BatchReweightings.FAMILY.create(reweight, null),
                seed, batchGroups, batchIdPrefix, groupTimeoutMs, minSamples, retentionMs, preferencePairs, emaWeight, feedback, maxGenerationRounds, batchTokens);
    }

    public GroupingSettings withTimeout(long timeoutMs, int min, long retention) {
        return new GroupingSettings(estimatorName, estimator, filter, markTruncated, staleness, filtrationName,
                filtration, reweightingName, reweighting, filtrationSeed, batchGroups, batchIdPrefix, timeoutMs, min,
                retention, preferencePairs, emaWeight, feedback, maxGenerationRounds, batchTokens);
    }

    public GroupingSettings withPreferencePairs(boolean on) {
        return new GroupingSettings(estimatorName, estimator, filter, markTruncated, staleness, filtrationName,
                filtration, reweightingName, reweighting, filtrationSeed, batchGroups, batchIdPrefix, groupTimeoutMs,
                minSamples, retentionMs, on, emaWeight, feedback, maxGenerationRounds, batchTokens);
    }

    /** Feedback merged as given, groups held open for it {@code waitMs} after their first record. */
    public GroupingSettings withFeedback(FeedbackMerge merge) {
        return new GroupingSettings(estimatorName, estimator, filter, markTruncated, staleness, filtrationName,
                filtration, reweightingName, reweighting, filtrationSeed, batchGroups, batchIdPrefix, groupTimeoutMs,
                minSamples, retentionMs, preferencePairs, emaWeight, merge, maxGenerationRounds, batchTokens);
    }

    /** DAPO's generation round cap ({@code 0}: none). */
    public GroupingSettings withMaxGenerationRounds(int rounds) {
        return new GroupingSettings(estimatorName, estimator, filter, markTruncated, staleness, filtrationName,
                filtration, reweightingName, reweighting, filtrationSeed, batchGroups, batchIdPrefix, groupTimeoutMs,
                minSamples, retentionMs, preferencePairs, emaWeight, feedback, rounds, batchTokens);
    }

    /** Batches and pairs with their tokens (INLINE) or their rollouts' positions (REFERENCE): batch.tokens. */
    public GroupingSettings withBatchTokens(BatchTokens tokens) {
        return new GroupingSettings(estimatorName, estimator, filter, markTruncated, staleness, filtrationName,
                filtration, reweightingName, reweighting, filtrationSeed, batchGroups, batchIdPrefix, groupTimeoutMs,
                minSamples, retentionMs, preferencePairs, emaWeight, feedback, maxGenerationRounds, tokens);
    }

    /**
     * How often open groups are checked for their timeout and feedback wait: often enough to close
     * them within about a tenth of the shorter.
     */
    long sweepIntervalMs() {
        long shortest = feedback.waitMs() > 0 ? Math.min(groupTimeoutMs, feedback.waitMs()) : groupTimeoutMs;
        return Math.max(10, Math.min(1_000, shortest / 10));
    }
}
