package io.rlstream.reward.stream;

import io.rlstream.events.DeadLetter;
import io.rlstream.events.Prompt;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.reward.verify.Verification;
import io.rlstream.reward.verify.Verifier;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/**
 * rl.rollouts → rl.rewards: every rollout gets exactly one Reward, keyed by its group_id.
 * The prompt's reference answer is looked up in a global table over rl.prompts, not copied into
 * every rollout. A failed generation, an unknown prompt or a failed check gives a Reward with
 * status FAILED and a reason, never a zero score (ARCHITECTURE rule 2). Undecodable rollouts go
 * to rl.dead-letters.
 */
public final class RewardTopology {

    public static final String SERVICE = "reward-service";
    static final String PROMPT_STORE = "prompts-by-id";

    private RewardTopology() {
    }

    public static Topology build(StreamsBuilder builder, TopicCatalog catalog, SerdeFactory serdes, Verifier verifier,
            RewardStats stats) {
        GlobalKTable<String, Prompt> prompts = builder.globalTable(catalog.name(Topic.PROMPTS),
                Consumed.with(Serdes.String(), serdes.serde(Prompt.class)),
                Materialized.as(PROMPT_STORE));

        KStream<String, Decoded<Rollout>> decoded = builder
                .stream(catalog.name(Topic.ROLLOUTS), Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .process(() -> new DecodeProcessor<>(serdes.serde(Rollout.class).deserializer(),
                        RewardTopology::invalidRollout, SERVICE, stats::deadLetter), Named.as("decode-rollouts"));

        Map<String, KStream<String, Decoded<Rollout>>> branches = decoded.split(Named.as("rollouts-"))
                .branch((key, value) -> value.isDead(), Branched.as("dead"))
                .defaultBranch(Branched.as("ok"));

        branches.get("rollouts-dead")
                .mapValues(Decoded::deadLetter, Named.as("dead-letter-value"))
                .to(catalog.name(Topic.DEAD_LETTERS), Produced.with(Serdes.String(), serdes.serde(DeadLetter.class)));

        branches.get("rollouts-ok")
                .mapValues(Decoded::value, Named.as("rollout-value"))
                .leftJoin(prompts, (groupId, rollout) -> rollout.getPromptId(),
                        (rollout, prompt) -> score(rollout, prompt, verifier, stats), Named.as("score"))
                .to(catalog.name(Topic.REWARDS), Produced.with(Serdes.String(), serdes.serde(Reward.class)));
        return builder.build();
    }

    static String invalidRollout(Rollout r) {
        if (r.getRolloutId().isEmpty() || r.getGroupId().isEmpty() || r.getPromptId().isEmpty()) {
            return "rollout without rollout_id, group_id or prompt_id";
        }
        return null;
    }

    static Reward score(Rollout rollout, Prompt prompt, Verifier verifier, RewardStats stats) {
        Reward.Builder reward = Reward.newBuilder()
                .setRolloutId(rollout.getRolloutId())
                .setGroupId(rollout.getGroupId())
                .setPromptId(rollout.getPromptId())
                .setVerifier(verifier.name())
                .setScoredAt(Instant.now())
                .setComponents(Map.of())
                .setScore(0.0);
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
        Verification v;
        try {
            v = verifier.verify(rollout.getResponseText(), prompt.getReferenceAnswer());
        } catch (RuntimeException e) {
            v = Verification.failed("verifier " + verifier.name() + " threw " + e);
        }
        if (!v.ok()) {
            stats.failed("verifier-failed");
            return reward.setStatus(SampleStatus.FAILED).setReason(v.reason()).build();
        }
        stats.scored(v.score() > 0);
        return reward.setStatus(SampleStatus.OK)
                .setScore(v.score())
                .setComponents(Map.of("correctness", v.score()))
                .setReason(v.extracted().isEmpty() ? v.reason() : "extracted " + v.extracted() + ": " + v.reason())
                .build();
    }
}
