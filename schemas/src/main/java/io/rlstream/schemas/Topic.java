package io.rlstream.schemas;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.DeadLetter;
import io.rlstream.events.DispatcherState;
import io.rlstream.events.Metric;
import io.rlstream.events.PreferencePair;
import io.rlstream.events.Prompt;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.PromptSelection;
import io.rlstream.events.PromptStats;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.StepSummary;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.events.UserFeedback;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every topic of rlstream: its name (after the configurable prefix), key, value type, default
 * partition count and topic configs. The topic table of docs/architecture.md#topics, as code (generated from here).
 *
 * <p>rl.prompt-dispatch, rl.rollouts and rl.rewards are keyed by group_id with the same partition
 * count ({@link #GROUPED}), so a group's rollouts and rewards are co-partitioned and the join and
 * group aggregation need no repartition.
 */
public enum Topic {
    PROMPTS("prompts", "prompt_id", Prompt.class, 1, Map.of(),
            "the prompt pool; carries the reference answer and, for a chat prompt, its messages"),
    PROMPT_DISPATCH("prompt-dispatch", "group_id", PromptDispatch.class, GROUPED(), Map.of(),
            "one record = generate G samples of this prompt"),
    ROLLOUTS("rollouts", "group_id", Rollout.class, GROUPED(), large(),
            "one sample: token ids, behaviour logprobs, policy version, status"),
    REWARDS("rewards", "group_id", Reward.class, GROUPED(), Map.of(),
            "one score per rollout, with named components and the rollout's summary and position (what grouping reads)"),
    TRAINING_BATCHES("training-batches", "batch_id", TrainingBatchGroup.class, 1, large(),
            "one scored group per record + batch metadata; one transaction per batch"),
    PREFERENCE_PAIRS("preference-pairs", "prompt_id", PreferencePair.class, 1, large(),
            "chosen / rejected built from groups"),
    PROMPT_STATS("prompt-stats", "prompt_id", PromptStats.class, 1, Map.of("cleanup.policy", "compact"),
            "compacted; pass-rate history per prompt"),
    PROMPT_SELECTION("prompt-selection", "prompt_id", PromptSelection.class, 1, Map.of("cleanup.policy", "compact"),
            "compacted; the dispatcher's selector state per prompt (estimate, prediction, times chosen)"),
    DISPATCHER_STATE("dispatcher-state", "'dispatcher'", DispatcherState.class, 1, dispatcherState(),
            "compacted; the dispatcher's counts, groups in flight and input offsets, so a restart reads no history"),
    CHECKPOINTS("checkpoints", "policy name", CheckpointPublished.class, 1, Map.of(),
            "version, URI, step, offsets consumed"),
    METRICS("metrics", "source", Metric.class, 1, Map.of(), "name, value, step, tags, time"),
    STEP_SUMMARY("step-summary", "step", StepSummary.class, 1, Map.of("cleanup.policy", "compact"),
            "compacted; every metric of a training step rolled up (count, sum, min, max, last per name)"),
    FEEDBACK("feedback", "response_id", UserFeedback.class, 1, Map.of(), "production reactions (RLUF)"),
    DEAD_LETTERS("dead-letters", "original key", DeadLetter.class, 1, large(),
            "raw bytes, source topic/partition/offset, error");

    /** Default prefix of every topic name; override with the {@code topic.prefix} setting. */
    public static final String DEFAULT_PREFIX = "rl.";

    /** Largest record value the topics that carry token ids accept (16 MiB, docs/architecture.md#topics, record sizes). */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private final String suffix;
    private final String key;
    private final Class<? extends SpecificRecord> valueType;
    private final int defaultPartitions;
    private final Map<String, String> configs;
    private final String notes;

    Topic(String suffix, String key, Class<? extends SpecificRecord> valueType, int defaultPartitions,
            Map<String, String> configs, String notes) {
        this.suffix = suffix;
        this.key = key;
        this.valueType = valueType;
        this.defaultPartitions = defaultPartitions;
        this.configs = configs;
        this.notes = notes;
    }

    /** Partition count shared by the co-partitioned group topics (dispatch, rollouts, rewards). */
    private static int GROUPED() {
        return 4;
    }

    private static Map<String, String> large() {
        return Map.of("max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES), "compression.type", "zstd");
    }

    /**
     * One key, rewritten every few seconds: small segments so the cleaner keeps about one record
     * (it never compacts the active segment), and records as large as the token topics allow
     * (the state grows with the prompt pool).
     */
    private static Map<String, String> dispatcherState() {
        return Map.of("cleanup.policy", "compact", "segment.ms", "600000", "min.cleanable.dirty.ratio", "0.1",
                "max.message.bytes", Integer.toString(MAX_MESSAGE_BYTES), "compression.type", "zstd");
    }

    /** Topic name under the given prefix, e.g. {@code rl.rollouts}. */
    public String topicName(String prefix) {
        return prefix + suffix;
    }

    public String suffix() {
        return suffix;
    }

    public String key() {
        return key;
    }

    public Class<? extends SpecificRecord> valueType() {
        return valueType;
    }

    public int defaultPartitions() {
        return defaultPartitions;
    }

    /** Topic-level configs to create the topic with. */
    public Map<String, String> configs() {
        return configs;
    }

    public String notes() {
        return notes;
    }

    /** True for the topics that must share one partition count (keyed by group_id). */
    public boolean coPartitioned() {
        return this == PROMPT_DISPATCH || this == ROLLOUTS || this == REWARDS;
    }
}
