package io.rlstream.ops.poison;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.FinishReason;
import io.rlstream.events.Metric;
import io.rlstream.events.Prompt;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.PromptStats;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.RolloutSummary;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.events.UserFeedback;
import io.rlstream.rollouts.RolloutSummaries;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.avro.specific.SpecificRecord;

/**
 * The bad-record corpus of issue 19: every kind of record a service must survive, per input topic.
 * The generic ones ({@link Generic}: bytes that are no Avro, an unknown schema id, zero bytes, a
 * tombstone, another event type with valid registry framing) go to every input topic; the
 * domain-specific ones ({@link #domain}) are valid Avro of the right type with content a service
 * must refuse (a token id outside any vocabulary, NaN log-probs, rewards and advantages, a
 * checkpoint announcement of a folder that does not exist, a forged high version, an empty group,
 * a blank id, mismatched lengths). Used by the services' bad-input tests and by {@code rlstream poison}.
 */
public final class BadRecords {

    /** Service names as dead letters carry them ({@code DeadLetter.service}). */
    public static final String DISPATCHER = "dispatcher";
    public static final String WORKER = "rollout-worker";
    public static final String REWARDS = "reward-service";
    public static final String GROUPING = "grouping";
    public static final String TRAINER = "trainer";
    public static final String STEP_SUMMARY = "step-summary";

    /** The policy name the corpus's checkpoint announcements use: the services' default policy.name. */
    public static final String POLICY = "demo";
    /** A token id outside every vocabulary (the largest int). */
    public static final int OUT_OF_VOCABULARY = Integer.MAX_VALUE;
    /** Group size above any worker's limit (the worker caps it at 4096, issue 19). */
    public static final int OVERSIZE_GROUP = 1_000_000;

    private BadRecords() {
    }

    /** The generic bad records, as the registry-framed topics would carry them. In this order, the wrong type last. */
    public enum Generic {
        /** Bytes that are not our framing at all (no magic byte 0). */
        UNDECODABLE,
        /** Magic byte 0 and a 4-byte schema id the registry never gave out. */
        UNKNOWN_SCHEMA_ID,
        /** A value of zero bytes. */
        EMPTY,
        /** No value at all. */
        TOMBSTONE,
        /** Another event with valid framing: its schema registered under this topic's subject. */
        WRONG_TYPE;

        /**
         * @param wrong the event of another type to send for {@link #WRONG_TYPE}
         */
        public byte[] bytes(SerdeFactory serdes, String topic, SpecificRecord wrong) {
            return switch (this) {
                case UNDECODABLE -> "not avro at all".getBytes(StandardCharsets.UTF_8);
                // id 0x7ffffff0: far past any id a registry hands out
                case UNKNOWN_SCHEMA_ID -> new byte[] {0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0, 2, 4, 6};
                case EMPTY -> new byte[0];
                case TOMBSTONE -> null;
                case WRONG_TYPE -> serialize(serdes, topic, wrong);
            };
        }

        /**
         * Whether a dead letter's reason says what was wrong.
         *
         * @param expected  the simple name of the type the topic carries
         * @param wrongType the full schema name of the {@link #WRONG_TYPE} event
         */
        public boolean explains(String error, String expected, String wrongType) {
            return switch (this) {
                case UNDECODABLE, UNKNOWN_SCHEMA_ID -> error.startsWith("cannot decode ") && error.contains(expected);
                case EMPTY -> (error.startsWith("cannot decode 0 bytes") || error.startsWith("decoded to null"))
                        && error.contains(expected);
                case TOMBSTONE -> error.contains("tombstone") && error.contains(expected);
                case WRONG_TYPE -> error.startsWith("decoded a " + wrongType + " where a " + expected + " was expected");
            };
        }

        /** The kind's name in the corpus table, e.g. {@code unknown-schema-id}. */
        public String kind() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /**
     * One record of the corpus.
     *
     * @param topic    where it goes
     * @param kind     what is wrong with it, e.g. {@code nan-logprob}
     * @param key      the record key
     * @param value    the record value; null for a tombstone
     * @param services the services reading the topic that must each answer it with a dead letter
     *                 (empty: the record is legal for every reader, e.g. a tombstone deleting a prompt)
     */
    public record BadRecord(Topic topic, String kind, String key, byte[] value, Set<String> services) {
    }

    /** The topics the corpus covers: every topic a service of the loop reads. */
    public static final List<Topic> INPUT_TOPICS = List.of(Topic.PROMPTS, Topic.PROMPT_DISPATCH, Topic.ROLLOUTS,
            Topic.REWARDS, Topic.TRAINING_BATCHES, Topic.CHECKPOINTS, Topic.FEEDBACK, Topic.PROMPT_STATS,
            Topic.METRICS);

    /**
     * The services of the RL loop (trainer in its default RL mode) that read a topic and answer an
     * undecodable record on it with a dead letter. The reward service also reads rl.prompts (a
     * global table: it skips a bad prompt, which can never reach a join), and the grouping app
     * rl.checkpoints (it skips and counts, grouping.checkpoints_skipped): no dead letters there. The
     * grouping app reads rl.rollouts only with grouping.rollouts.source = rollouts-topic (by default
     * it takes each rollout from the summary in its reward, issue 18), so the reward service alone
     * answers a bad rollout.
     */
    public static Set<String> readers(Topic topic) {
        return switch (topic) {
            case PROMPTS, PROMPT_STATS -> Set.of(DISPATCHER);
            case PROMPT_DISPATCH -> Set.of(WORKER);
            case ROLLOUTS -> Set.of(REWARDS);
            case REWARDS -> Set.of(GROUPING);
            case TRAINING_BATCHES -> Set.of(TRAINER, DISPATCHER);
            case CHECKPOINTS -> Set.of(WORKER, DISPATCHER);
            case FEEDBACK -> Set.of(REWARDS);
            case METRICS -> Set.of(STEP_SUMMARY);
            case PREFERENCE_PAIRS -> Set.of(TRAINER);
            default -> Set.of();
        };
    }

    /** The generic bad records for one topic, in {@link Generic} order. */
    public static List<BadRecord> generic(SerdeFactory serdes, String topicName, Topic topic) {
        List<BadRecord> out = new ArrayList<>();
        SpecificRecord wrong = wrongType(topic);
        for (Generic g : Generic.values()) {
            // On rl.prompts, a compacted topic, a tombstone deletes its key's prompt: legal, no dead letter.
            Set<String> services = topic == Topic.PROMPTS && g == Generic.TOMBSTONE ? Set.of() : readers(topic);
            out.add(new BadRecord(topic, g.kind(), "poison-" + g.kind(), g.bytes(serdes, topicName, wrong), services));
        }
        return out;
    }

    /** An event of another type than the topic carries: a Reward on rl.prompts, a Prompt elsewhere. */
    public static SpecificRecord wrongType(Topic topic) {
        return topic == Topic.PROMPTS ? reward("g-poison", "g-poison/0") : prompt("p-poison");
    }

    /**
     * The domain-specific bad records for one topic: valid events of the right type whose content
     * a reader must refuse.
     *
     * @param checkpointUri where a real checkpoint folder is (for the forged high version: a real
     *                      folder announced under a version it does not hold); null: a folder that
     *                      does not exist
     */
    public static List<BadRecord> domain(SerdeFactory serdes, String topicName, Topic topic, String checkpointUri) {
        List<BadRecord> out = new ArrayList<>();
        switch (topic) {
            case PROMPTS -> {
                add(out, serdes, topicName, topic, "blank-prompt-id", "", Prompt.newBuilder(prompt("p")).setPromptId("").build(),
                        DISPATCHER);
            }
            case PROMPT_DISPATCH -> {
                add(out, serdes, topicName, topic, "empty-group", "g-empty",
                        PromptDispatch.newBuilder(dispatch("g-empty")).setGroupSize(0).build(), WORKER);
                add(out, serdes, topicName, topic, "oversize-group", "g-huge",
                        PromptDispatch.newBuilder(dispatch("g-huge")).setGroupSize(OVERSIZE_GROUP).build(), WORKER);
                add(out, serdes, topicName, topic, "blank-group-id", "",
                        PromptDispatch.newBuilder(dispatch("")).build(), WORKER);
                add(out, serdes, topicName, topic, "nan-temperature", "g-nan",
                        PromptDispatch.newBuilder(dispatch("g-nan")).setTemperature(Float.NaN).build(), WORKER);
            }
            case ROLLOUTS -> {
                add(out, serdes, topicName, topic, "blank-rollout-id", "g-blank",
                        Rollout.newBuilder(rollout("g-blank", 0)).setRolloutId("").build(), REWARDS);
                add(out, serdes, topicName, topic, "sample-index-outside-group", "g-index",
                        Rollout.newBuilder(rollout("g-index", 0)).setSampleIndex(7).setRolloutId("g-index/7").build(),
                        REWARDS);
                add(out, serdes, topicName, topic, "wrong-lengths", "g-lengths",
                        Rollout.newBuilder(rollout("g-lengths", 0)).setBehaviourLogprobs(List.of(-0.5f)).build(), REWARDS);
            }
            case REWARDS -> {
                add(out, serdes, topicName, topic, "nan-reward", "g-nan",
                        Reward.newBuilder(reward("g-nan", "g-nan/0")).setScore(Double.NaN).build(), GROUPING);
                add(out, serdes, topicName, topic, "blank-rollout-id", "g-blank",
                        Reward.newBuilder(reward("g-blank", "g-blank/0")).setRolloutId("").build(), GROUPING);
            }
            case TRAINING_BATCHES -> {
                add(out, serdes, topicName, topic, "out-of-vocabulary-token", "b-oov",
                        batch("b-oov", s -> s.setResponseTokenIds(List.of(3, OUT_OF_VOCABULARY, 2))), TRAINER);
                add(out, serdes, topicName, topic, "negative-token", "b-neg",
                        batch("b-neg", s -> s.setPromptTokenIds(List.of(-5, 1))), TRAINER);
                add(out, serdes, topicName, topic, "nan-logprob", "b-nanlp",
                        batch("b-nanlp", s -> s.setBehaviourLogprobs(List.of(-1f, Float.NaN, -1f))), TRAINER);
                add(out, serdes, topicName, topic, "nan-reward", "b-nanr", batch("b-nanr", s -> s.setReward(Double.NaN)),
                        TRAINER);
                add(out, serdes, topicName, topic, "nan-advantage", "b-nana",
                        batch("b-nana", s -> s.setAdvantage(Float.NaN)), TRAINER);
                add(out, serdes, topicName, topic, "wrong-lengths", "b-len",
                        batch("b-len", s -> s.setBehaviourLogprobs(List.of(-1f))), TRAINER);
                add(out, serdes, topicName, topic, "empty-group", "b-empty",
                        TrainingBatchGroup.newBuilder(batch("b-empty", s -> s)).setSamples(List.of()).setBatchSamples(0)
                                .build(), TRAINER);
            }
            case CHECKPOINTS -> {
                // neither names the input offsets a trainer consumed to reach its version: the dispatcher
                // refuses both (DispatchInputs), the worker because the folder does not load or holds another version
                add(out, serdes, topicName, topic, "missing-folder", POLICY,
                        checkpoint(1_000, "file:///nonexistent/rlstream-poison/v001000"), WORKER, DISPATCHER);
                add(out, serdes, topicName, topic, "forged-high-version", POLICY,
                        checkpoint(1_000_000_000L, checkpointUri != null ? checkpointUri
                                : "file:///nonexistent/rlstream-poison/v1000000000"), WORKER, DISPATCHER);
            }
            case FEEDBACK -> {
                add(out, serdes, topicName, topic, "nan-value", "r-nan",
                        UserFeedback.newBuilder(feedback("r-nan")).setValue(Double.NaN).build(), REWARDS);
                add(out, serdes, topicName, topic, "no-rollout-id", "r-none",
                        UserFeedback.newBuilder(feedback("r-none")).setRolloutId(null).build(), REWARDS);
            }
            case PROMPT_STATS -> {
                add(out, serdes, topicName, topic, "nan-pass-rate", "p-nan",
                        PromptStats.newBuilder(stats("p-nan")).setPassRate(Double.NaN).setMovingAverage(Double.NaN)
                                .build(), DISPATCHER);
            }
            default -> {
            }
        }
        return out;
    }

    /** Generic then domain records for every topic of {@code topics}. */
    public static List<BadRecord> corpus(SerdeFactory serdes, java.util.function.Function<Topic, String> names,
            List<Topic> topics, String checkpointUri) {
        List<BadRecord> out = new ArrayList<>();
        for (Topic t : topics) {
            out.addAll(generic(serdes, names.apply(t), t));
            out.addAll(domain(serdes, names.apply(t), t, checkpointUri));
        }
        return out;
    }

    /**
     * A good record for an input topic, what its readers must still process after the bad ones;
     * null for rl.checkpoints (only the trainer announces checkpoints). Keyed by {@link #goodKey}.
     */
    public static SpecificRecord good(Topic topic) {
        String id = goodKey(topic);
        return switch (topic) {
            case PROMPTS, PROMPT_STATS -> topic == Topic.PROMPTS ? prompt(id) : stats(id);
            case PROMPT_DISPATCH -> dispatch(id);
            case ROLLOUTS -> rollout(id, 0);
            case REWARDS -> reward(id, id + "/0");
            case TRAINING_BATCHES -> batch(id, s -> s);
            case FEEDBACK -> feedback(id);
            case METRICS -> Metric.newBuilder().setName("poison.check").setValue(1).setSource(id)
                    .setTime(Instant.now()).build();
            default -> null;
        };
    }

    /** The key (and id: prompt, group, batch or response id) of {@link #good}'s record for a topic. */
    public static String goodKey(Topic topic) {
        return switch (topic) {
            case PROMPTS, PROMPT_STATS -> "p-after-poison";
            case PROMPT_DISPATCH -> "g-dispatch-after-poison";
            case ROLLOUTS -> "g-rollout-after-poison";
            case REWARDS -> "g-reward-after-poison";
            case TRAINING_BATCHES -> "b-after-poison";
            case FEEDBACK -> "r-after-poison";
            default -> "poison";
        };
    }

    private static void add(List<BadRecord> out, SerdeFactory serdes, String topicName, Topic topic, String kind,
            String key, SpecificRecord value, String... services) {
        out.add(record(serdes, topicName, topic, kind, key, value, services));
    }

    private static BadRecord record(SerdeFactory serdes, String topicName, Topic topic, String kind, String key,
            SpecificRecord value, String... services) {
        return new BadRecord(topic, kind, key, serialize(serdes, topicName, value), Set.of(services));
    }

    public static Prompt prompt(String id) {
        return Prompt.newBuilder().setPromptId(id).setText("12+34=").setReferenceAnswer("46").setTask("math")
                .setDataset("poison").setMetadata(Map.of()).setCreatedAt(Instant.now()).build();
    }

    public static PromptDispatch dispatch(String groupId) {
        return PromptDispatch.newBuilder().setGroupId(groupId).setPromptId("p-poison").setPromptText("12+34=")
                .setGroupSize(2).setTemperature(1f).setMaxNewTokens(4).setPolicyVersion(0)
                .setDispatchedAt(Instant.now()).build();
    }

    public static Rollout rollout(String groupId, int index) {
        return Rollout.newBuilder().setRolloutId(groupId + "/" + index).setGroupId(groupId).setPromptId("p-poison")
                .setSampleIndex(index).setGroupSize(2).setPromptTokenIds(List.of(1, 2, 3))
                .setResponseTokenIds(List.of(4, 5)).setBehaviourLogprobs(List.of(-0.5f, -0.25f)).setResponseText("46")
                .setPolicyVersion(0).setFinishReason(FinishReason.STOP).setStatus(SampleStatus.OK)
                .setGeneratorId("poison").setGeneratedAt(Instant.now()).build();
    }

    /** A verifier's reward with the summary of its rollout (as the reward service writes them), at offset 0. */
    public static Reward reward(String groupId, String rolloutId) {
        int index = Integer.parseInt(rolloutId.substring(rolloutId.lastIndexOf('/') + 1));
        RolloutSummary summary = RolloutSummaries.of(
                Rollout.newBuilder(rollout(groupId, index)).setRolloutId(rolloutId).build(), 0, 0);
        return Reward.newBuilder().setRolloutId(rolloutId).setGroupId(groupId).setPromptId("p-poison").setScore(1)
                .setComponents(Map.of()).setStatus(SampleStatus.OK).setVerifier("poison").setScoredAt(Instant.now())
                .setRollout(summary).build();
    }

    /** A one-group batch of two samples; {@code change} alters the second sample. */
    public static TrainingBatchGroup batch(String batchId, UnaryOperator<ScoredSample.Builder> change) {
        ScoredSample first = sample(batchId + "/0", 1, 0.5f);
        ScoredSample second = change.apply(ScoredSample.newBuilder(sample(batchId + "/1", 0, -0.5f))).build();
        return TrainingBatchGroup.newBuilder().setBatchId(batchId).setBatchSequence(0).setGroupIndex(0)
                .setBatchGroups(1).setBatchSamples(2).setMinPolicyVersion(0).setMaxPolicyVersion(0)
                .setFilterStats(Map.of()).setGroupId(batchId).setPromptId("p-poison").setEstimator("grpo")
                .setSamples(List.of(first, second)).setCreatedAt(Instant.now()).build();
    }

    private static ScoredSample sample(String rolloutId, double reward, float advantage) {
        return ScoredSample.newBuilder().setRolloutId(rolloutId).setPromptTokenIds(List.of(1, 2, 3))
                .setResponseTokenIds(List.of(4, 5, 6)).setBehaviourLogprobs(List.of(-1f, -1f, -1f)).setReward(reward)
                .setAdvantage(advantage).setPolicyVersion(0).build();
    }

    public static CheckpointPublished checkpoint(long version, String uri) {
        return CheckpointPublished.newBuilder().setPolicyName(POLICY).setVersion(version).setUri(uri).setStep(version)
                .setCreatedAt(Instant.now()).build();
    }

    public static UserFeedback feedback(String responseId) {
        return UserFeedback.newBuilder().setResponseId(responseId).setRolloutId("g-poison/0").setPromptId("p-poison")
                .setReaction("rating").setValue(1.0).setUserId("poison").setTime(Instant.now()).build();
    }

    public static PromptStats stats(String promptId) {
        return PromptStats.newBuilder().setPromptId(promptId).setSamples(4).setPassRate(0.5).setMovingAverage(0.5)
                .setLastPolicyVersion(0).setUpdatedAt(Instant.now()).build();
    }

    /** Serializes with the registry serde of the value's type under the topic's subject. */
    public static <T extends SpecificRecord> byte[] serialize(SerdeFactory serdes, String topic, T value) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) value.getClass();
        return serdes.serde(type).serializer().serialize(topic, value);
    }
}
