package io.rlstream.reward.stream;

import io.rlstream.tokens.Tokens;
import io.rlstream.events.DeadLetter;
import io.rlstream.events.Prompt;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.RolloutSummary;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.UserFeedback;
import io.rlstream.reward.feedback.FeedbackMapping;
import io.rlstream.reward.score.RewardScorer;
import io.rlstream.reward.verify.Verifier;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TypeCheckedDeserializer;
import io.rlstream.schemas.TopicCatalog;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * rl.rollouts → rl.rewards: every rollout gets exactly one Reward, keyed by its group_id.
 * The prompt's reference answer is looked up in a global table over rl.prompts, not copied into
 * every rollout. A failed generation, an unknown prompt or a failed check gives a Reward with
 * status FAILED and a reason, never a zero score (docs/architecture.md#rules-every-service-keeps, rule 2). Undecodable rollouts, and
 * rollouts that cannot be placed in a group ({@link io.rlstream.rollouts.RolloutCheck}), go to
 * rl.dead-letters without a reward; an unusable one (logprobs that do not match its tokens) is a
 * dead letter and gets a FAILED reward. Every reward made from a rollout carries the rollout's
 * summary and its position on rl.rollouts ({@code Reward.rollout}), so that the grouping app need
 * not read rl.rollouts (issue 18). With a feedback mapping, reactions on rl.feedback become rewards for the
 * rollouts they name (RLUF); a reaction that matches no rollout or no mapping is a dead letter.
 * Without a scorer (reward.score-rollouts = false) it is a feedback-only deployment: reactions are
 * the only rewards. How the grouping app combines a reaction with the verifier's reward of the same
 * rollout is docs/algorithms.md#user-feedback.
 */
public final class RewardTopology {

    public static final String SERVICE = "reward-service";
    static final String PROMPT_STORE = "prompts-by-id";
    /** Verifier name and component of rewards that come from user feedback. */
    public static final String FEEDBACK_VERIFIER = "user-feedback";
    public static final String FEEDBACK_COMPONENT = "feedback";

    static final String PENDING_STORE = "rollouts-pending-batch";
    /**
     * The summaries (with positions on rl.rollouts) of the rollouts in {@link #PENDING_STORE}, by
     * rollout_id. A store of its own, so that the pending store's changelog keeps its type.
     */
    static final String PENDING_SUMMARY_STORE = "rollouts-pending-summaries";

    /**
     * Rollouts scored in batches (a remote endpoint): at most {@code size} per call of the verifier,
     * sent when that many are pending or {@code linger} after the last send.
     */
    public record Batching(int size, java.time.Duration linger) {
        public Batching {
            if (size < 1 || linger == null || linger.isNegative() || linger.isZero()) {
                throw new IllegalArgumentException("a batch needs a size of at least 1 and a positive linger, got "
                        + size + " and " + linger);
            }
        }
    }

    private RewardTopology() {
    }

    /** Scoring by one verifier with weight 1 and no feedback stream: the walking skeleton's topology. */
    public static Topology build(StreamsBuilder builder, TopicCatalog catalog, SerdeFactory serdes, Verifier verifier,
            RewardStats stats) {
        return build(builder, catalog, serdes, RewardScorer.of(verifier), null, stats);
    }

    /**
     * @param scorer   scores each rollout; null for a feedback-only deployment, which leaves rl.rollouts alone
     * @param feedback maps reactions on rl.feedback to rewards (RLUF); null leaves rl.feedback alone
     */
    public static Topology build(StreamsBuilder builder, TopicCatalog catalog, SerdeFactory serdes, RewardScorer scorer,
            FeedbackMapping feedback, RewardStats stats) {
        return build(builder, catalog, serdes, scorer, null, feedback, stats);
    }

    /**
     * @param batching scores rollouts in batches (pending ones kept in a changelogged store, so a
     *                 restart scores them exactly once); null scores each rollout as it comes
     */
    public static Topology build(StreamsBuilder builder, TopicCatalog catalog, SerdeFactory serdes, RewardScorer scorer,
            Batching batching, FeedbackMapping feedback, RewardStats stats) {
        // rl.prompts is read by a global table, which cannot write dead letters: a record that is not
        // a Prompt (undecodable, or another type with valid framing) fails to deserialize and is
        // logged and skipped by the LogAndContinue handler (RewardService), instead of reaching the
        // join as another type; a tombstone deletes its prompt, as on any compacted topic.
        Serde<Prompt> promptSerde = serdes.serde(Prompt.class);
        GlobalKTable<String, Prompt> prompts = builder.globalTable(catalog.name(Topic.PROMPTS),
                Consumed.with(Serdes.String(), Serdes.serdeFrom(promptSerde.serializer(),
                        TypeCheckedDeserializer.of(promptSerde.deserializer(), Prompt.class))),
                Materialized.as(PROMPT_STORE));
        Produced<String, Reward> toRewards = Produced.with(Serdes.String(), serdes.serde(Reward.class));
        Produced<String, DeadLetter> toDeadLetters = Produced.with(Serdes.String(), serdes.serde(DeadLetter.class));

        if (scorer != null) {
            scoreRollouts(builder, catalog, serdes, scorer, batching, stats, prompts, toRewards, toDeadLetters);
        }
        if (feedback != null) {
            Map<String, KStream<String, Decoded<UserFeedback>>> reactions = builder
                    .stream(catalog.name(Topic.FEEDBACK), Consumed.with(Serdes.String(), Serdes.ByteArray()))
                    .process(() -> new DecodeProcessor<>(serdes.serde(UserFeedback.class).deserializer(), UserFeedback.class,
                            f -> unusableFeedback(f, feedback), SERVICE, stats::deadLetter), Named.as("decode-feedback"))
                    .split(Named.as("feedback-"))
                    .branch((key, value) -> value.isDead(), Branched.as("dead"))
                    .defaultBranch(Branched.as("ok"));
            reactions.get("feedback-dead")
                    .mapValues(Decoded::deadLetter, Named.as("feedback-dead-letter-value"))
                    .to(catalog.name(Topic.DEAD_LETTERS), toDeadLetters);
            reactions.get("feedback-ok")
                    .map((key, value) -> {
                        Reward reward = feedbackReward(value.value(), feedback, stats);
                        return KeyValue.pair(reward.getGroupId(), reward);
                    }, Named.as("feedback-reward"))
                    .to(catalog.name(Topic.REWARDS), toRewards);
        }
        return builder.build();
    }

    /** rl.rollouts → rl.rewards: each rollout scored against its prompt, undecodable ones dead-lettered. */
    private static void scoreRollouts(StreamsBuilder builder, TopicCatalog catalog, SerdeFactory serdes,
            RewardScorer scorer, Batching batching, RewardStats stats, GlobalKTable<String, Prompt> prompts,
            Produced<String, Reward> toRewards, Produced<String, DeadLetter> toDeadLetters) {
        // The decode step checks each rollout (RolloutCheck) and summarises it with its position on
        // rl.rollouts, which every reward made from it carries (Reward.rollout, issue 18).
        KStream<String, Decoded<PlacedRollout>> decoded = builder
                .stream(catalog.name(Topic.ROLLOUTS), Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .process(() -> new RolloutDecoder(serdes.serde(Rollout.class).deserializer(), SERVICE,
                        stats::deadLetter), Named.as("decode-rollouts"));

        Map<String, KStream<String, Decoded<PlacedRollout>>> branches = decoded.split(Named.as("rollouts-"))
                .branch((key, value) -> value.isDead(), Branched.as("dead"))
                .defaultBranch(Branched.as("ok"));

        branches.get("rollouts-dead")
                .mapValues(Decoded::deadLetter, Named.as("dead-letter-value"))
                .to(catalog.name(Topic.DEAD_LETTERS), toDeadLetters);

        KStream<String, PlacedRollout> rollouts = branches.get("rollouts-ok")
                .mapValues(Decoded::value, Named.as("rollout-value"));
        if (batching != null) {
            builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PENDING_STORE),
                    Serdes.String(), serdes.serde(Rollout.class)));
            builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PENDING_SUMMARY_STORE),
                    Serdes.String(), serdes.serde(RolloutSummary.class)));
            rollouts.process(() -> new BatchScoreProcessor(scorer, batching, stats), Named.as("score-batched"),
                            PENDING_STORE, PENDING_SUMMARY_STORE)
                    .to(catalog.name(Topic.REWARDS), toRewards);
            return;
        }
        rollouts
                .leftJoin(prompts, (groupId, placed) -> placed.rollout().getPromptId(),
                        (rollout, prompt) -> score(rollout, prompt, scorer, stats), Named.as("score"))
                .to(catalog.name(Topic.REWARDS), toRewards);
    }

    /**
     * Why a reaction cannot become a reward, or null: it must name the rollout it reacts to (the
     * RL loop's rollout ids are {@code group_id/sample_index}), its value, when it has one, must be
     * finite (whatever its rule: a NaN rating is a broken client, not a thumbs up), and the mapping
     * must give it a reward.
     */
    static String unusableFeedback(UserFeedback f, FeedbackMapping mapping) {
        String rolloutId = f.getRolloutId();
        if (rolloutId == null || rolloutId.lastIndexOf('/') <= 0) {
            return "feedback on response " + f.getResponseId() + " names no rollout_id of the form group_id/index, "
                    + "so it matches no rollout";
        }
        if (f.getValue() != null && !Double.isFinite(f.getValue())) {
            return "reaction '" + f.getReaction() + "' on rollout " + rolloutId + " has value " + f.getValue()
                    + "; a rating must be a finite number";
        }
        if (mapping.reward(f.getReaction(), f.getValue()).isEmpty()) {
            return "reaction '" + f.getReaction() + "'" + (f.getValue() == null ? "" : " with value " + f.getValue())
                    + " has no reward in reward.feedback.mapping";
        }
        return null;
    }

    /** The reward a usable reaction gives its rollout (RLUF), keyed like every reward by group_id. */
    static Reward feedbackReward(UserFeedback f, FeedbackMapping mapping, RewardStats stats) {
        double value = mapping.reward(f.getReaction(), f.getValue()).orElseThrow();
        String rolloutId = f.getRolloutId();
        stats.scored(value > 0);
        return Reward.newBuilder()
                .setRolloutId(rolloutId)
                .setGroupId(rolloutId.substring(0, rolloutId.lastIndexOf('/')))
                .setPromptId(f.getPromptId() == null ? "" : f.getPromptId())
                .setScore(value)
                .setComponents(Map.of(FEEDBACK_COMPONENT, value))
                .setStatus(SampleStatus.OK)
                .setReason("reaction '" + f.getReaction() + "' of user " + f.getUserId())
                .setVerifier(FEEDBACK_VERIFIER)
                .setScoredAt(f.getTime())
                .build();
    }

    static String invalidRollout(Rollout r) {
        if (r.getRolloutId().isEmpty() || r.getGroupId().isEmpty() || r.getPromptId().isEmpty()) {
            return "rollout without rollout_id, group_id or prompt_id";
        }
        return null;
    }

    static Reward score(PlacedRollout placed, Prompt prompt, RewardScorer scorer, RewardStats stats) {
        Reward unscorable = unscorable(placed, prompt, scorer, stats);
        if (unscorable != null) {
            return unscorable;
        }
        Rollout rollout = placed.rollout();
        RewardScorer.Scored s = scorer.score(prompt.getText(), rollout.getResponseText(), prompt.getReferenceAnswer(),
                Tokens.responseLength(rollout));
        return scored(placed, s, scorer, stats);
    }

    /**
     * The FAILED reward of a rollout that cannot be scored (unusable, failed generation, unknown
     * prompt), or null.
     */
    static Reward unscorable(PlacedRollout placed, Prompt prompt, RewardScorer scorer, RewardStats stats) {
        Rollout rollout = placed.rollout();
        Reward.Builder reward = base(placed, scorer);
        if (placed.unusable() != null) {
            stats.failed("unusable-rollout");
            return reward.setStatus(SampleStatus.FAILED).setReason(placed.unusable()).build();
        }
        if (rollout.getStatus() != SampleStatus.OK) {
            stats.failed("generation-failed");
            return reward.setStatus(SampleStatus.FAILED)
                    .setReason("generation failed: " + rollout.getError()).build();
        }
        if (prompt == null) {
            stats.failed("unknown-prompt");
            return reward.setStatus(SampleStatus.FAILED)
                    .setReason("prompt " + rollout.getPromptId() + " is not on the prompts topic").build();
        }
        return null;
    }

    /** The reward of a scored rollout: OK with its components, or FAILED with the reason. */
    static Reward scored(PlacedRollout placed, RewardScorer.Scored s, RewardScorer scorer, RewardStats stats) {
        Reward.Builder reward = base(placed, scorer);
        stats.latency(s.millis());
        if (!s.ok()) {
            stats.failed("verifier-failed");
            return reward.setStatus(SampleStatus.FAILED).setComponents(s.components()).setReason(s.reason()).build();
        }
        stats.scored(s.components().getOrDefault(RewardScorer.CORRECTNESS, s.score()) > 0);
        stats.score(s.score());
        return reward.setStatus(SampleStatus.OK)
                .setScore(s.score())
                .setComponents(s.components())
                .setReason(s.extracted().isEmpty() ? s.reason() : "extracted " + s.extracted() + ": " + s.reason())
                .build();
    }

    /** Every reward made from a rollout carries the rollout's summary and position (issue 18). */
    private static Reward.Builder base(PlacedRollout placed, RewardScorer scorer) {
        Rollout rollout = placed.rollout();
        return Reward.newBuilder()
                .setRollout(placed.summary())
                .setRolloutId(rollout.getRolloutId())
                .setGroupId(rollout.getGroupId())
                .setPromptId(rollout.getPromptId())
                .setVerifier(scorer.verifierName())
                .setScoredAt(Instant.now())
                .setComponents(Map.of())
                .setScore(0.0);
    }
}
