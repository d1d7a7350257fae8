package io.rlstream.processors.grouping;

import io.rlstream.processors.advantage.AdvantageEstimator;
import io.rlstream.processors.advantage.Grpo;
import io.rlstream.processors.config.ProcessorsConfig;
import io.rlstream.processors.filter.DynamicSampling;
import io.rlstream.processors.filter.GroupFilter;

/**
 * What the grouping topology computes: the advantage estimator (and the name it is recorded
 * under in every batch), the group filter, the batch size in groups, and the prefix of batch ids.
 *
 * @param estimatorName name written to {@code TrainingBatchGroup.estimator}, e.g. {@code grpo}
 * @param estimator     turns a group's usable rewards into advantages
 * @param filter        decides which completed groups go on to training
 * @param batchGroups   B: groups per training batch
 * @param batchIdPrefix batch ids are {@code <prefix>-<batch_sequence>}; the application id by default
 */
public record GroupingSettings(String estimatorName, AdvantageEstimator estimator, GroupFilter filter, int batchGroups,
        String batchIdPrefix) {

    /** Default B (groups per batch). */
    public static final int DEFAULT_BATCH_GROUPS = 16;

    public GroupingSettings {
        if (estimatorName == null || estimatorName.isEmpty() || estimator == null) {
            throw new IllegalArgumentException("an advantage estimator and its name are required, got "
                    + estimatorName + " / " + estimator);
        }
        if (filter == null) {
            throw new IllegalArgumentException("a group filter is required (GroupFilter.nonEmpty() filters nothing)");
        }
        if (batchGroups < 1) {
            throw new IllegalArgumentException("batch size in groups must be >= 1, got " + batchGroups);
        }
        if (batchIdPrefix == null || batchIdPrefix.isEmpty()) {
            throw new IllegalArgumentException("batch id prefix must not be empty");
        }
    }

    /** The settings a deployment configured: estimator with its options, filter, B, application id as batch id prefix. */
    public static GroupingSettings from(ProcessorsConfig config) {
        GroupFilter filter = config.getBoolean(ProcessorsConfig.DYNAMIC_SAMPLING)
                ? new DynamicSampling() : GroupFilter.nonEmpty();
        return new GroupingSettings(config.getString(ProcessorsConfig.ADVANTAGE_ESTIMATOR), config.estimator(), filter,
                config.getInt(ProcessorsConfig.BATCH_GROUPS), config.getString(ProcessorsConfig.APPLICATION_ID));
    }

    /** GRPO (sample std, ε 1e-6), dynamic sampling, B = 16. */
    public static GroupingSettings defaults(String batchIdPrefix) {
        return new GroupingSettings(Grpo.NAME, new Grpo(), new DynamicSampling(), DEFAULT_BATCH_GROUPS, batchIdPrefix);
    }

    public GroupingSettings withBatchGroups(int b) {
        return new GroupingSettings(estimatorName, estimator, filter, b, batchIdPrefix);
    }

    public GroupingSettings withFilter(GroupFilter f) {
        return new GroupingSettings(estimatorName, estimator, f, batchGroups, batchIdPrefix);
    }
}
