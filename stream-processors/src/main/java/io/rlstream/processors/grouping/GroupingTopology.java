package io.rlstream.processors.grouping;

import io.rlstream.rollouts.RolloutLog;
import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.DeadLetter;
import io.rlstream.events.PreferencePair;
import io.rlstream.events.PromptStats;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.StoredRollout;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.processors.config.RolloutsSource;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * rl.rewards (+ rl.rollouts) → rl.training-batches: group, score, filter, batch.
 *
 * <pre>
 * (rl.rollouts)─┐                                    (per group_id partition)
 *  rl.rewards  ─┴─► decode ──► group accumulator ──► advantages ──► group filter ─┐
 *                     │            [rollouts, rewards, progress]                     │
 *                     └──► rl.dead-letters ◄──────────────────────┘                  │
 *                                                                                    ▼
 *  rl.training-batches ◄── batch assembler [buffer, state] ◄── repartition to 1 partition
 *  rl.preference-pairs ◄──┘   └── reads tokens back from rl.rollouts by position
 * </pre>
 *
 * <p>With {@code grouping.rollouts.source = rewards} (the default) the app reads rl.rewards only:
 * each reward of a verifier carries its rollout's summary and position (Reward.rollout, written by
 * the reward service), which the accumulator takes as the rollout followed by its reward; no
 * rollout is decoded whole to group it (issue 18). With {@code rollouts-topic} it also reads
 * rl.rollouts, as before.
 *
 * <p>Both inputs are keyed by group_id and co-partitioned, so one task sees all of a group with
 * no repartition. Inputs are read as bytes and decoded in the topology, so bad records become
 * dead letters instead of stopping the stream. Completed groups (kept ones with their scored
 * samples, dropped ones as counters only) go through a single-partition repartition topic to the
 * {@link BatchAssembler}, which numbers batches in one sequence. Stores, the repartition topic and
 * the batch buffer hold no tokens, only each sample's position on rl.rollouts: the assembler reads
 * the tokens back once, when it writes the batch (issue 18).
 *
 * <p>Pure wiring: no clients, no threads; metrics are counted in the {@link GroupingCounters} the
 * caller passes and publishes.
 */
public final class GroupingTopology {

    /** Service name in dead letters. */
    public static final String SERVICE = "grouping";
    /**
     * Rollouts of open groups without their tokens ({@link StoredRollout}). Named group-rollouts
     * until issue 18, when it held whole rollouts: the new name starts a new changelog.
     */
    public static final String ROLLOUT_STORE = "group-rollout-refs";
    public static final String REWARD_STORE = "group-rewards";
    public static final String PROGRESS_STORE = "group-progress";
    /**
     * Closed groups, remembered for {@code group.retention.ms} so that late records are counted
     * and dropped: by group id and by closing time (so that expiry reads only what expires).
     * Until issue 18 the progress store kept them, and its sweep read every one of them each second.
     */
    public static final String CLOSED_STORE = "group-closed";
    public static final String BATCH_BUFFER_STORE = "batch-buffer";
    public static final String BATCH_STATE_STORE = "batch-state";
    public static final String PROMPT_STATS_STORE = "prompt-stats";
    /** Global store of the newest policy version on rl.checkpoints (only with a staleness bound). */
    public static final String POLICY_VERSION_STORE = "policy-version";
    static final String POLICY_VERSION_KEY = "latest";
    /** Name of the internal single-partition topic between grouping and batching (after the application id). */
    public static final String OUTCOMES_REPARTITION = "group-outcomes";

    private GroupingTopology() {
    }

    /**
     * @param inputs  where rl.rollouts, rl.rewards (and, with a staleness bound, rl.checkpoints) are read
     * @param outputs where batches, preference pairs, prompt stats and dead letters are written; another
     *                prefix than {@code inputs} for a replay that must not feed the running trainer
     * @param logs    reads rollouts back from {@code inputs}' rl.rollouts by position (their tokens)
     */
    public static Topology build(StreamsBuilder builder, TopicCatalog inputs, TopicCatalog outputs,
            SerdeFactory serdes, GroupingSettings settings, GroupingCounters counters, RolloutLog.Factory logs) {
        return build(builder, inputs, outputs, serdes, settings, RolloutsSource.REWARDS, counters, logs);
    }

    /**
     * @param source where rollouts come from: the summaries in rl.rewards (only rl.rewards is
     *               subscribed), or rl.rollouts itself ({@code grouping.rollouts.source})
     */
    public static Topology build(StreamsBuilder builder, TopicCatalog inputs, TopicCatalog outputs,
            SerdeFactory serdes, GroupingSettings settings, RolloutsSource source, GroupingCounters counters,
            RolloutLog.Factory logs) {
        Serde<Rollout> rolloutSerde = serdes.serde(Rollout.class);
        Serde<Reward> rewardSerde = serdes.serde(Reward.class);
        Serde<TrainingBatchGroup> groupSerde = serdes.serde(TrainingBatchGroup.class);
        Serde<DeadLetter> deadLetterSerde = serdes.serde(DeadLetter.class);
        String rolloutsTopic = inputs.name(Topic.ROLLOUTS);
        String deadLetters = outputs.name(Topic.DEAD_LETTERS);

        // Open groups and buffered batches hold no tokens (issue 18), so they fit in memory: in-memory
        // stores, restored from their changelogs after a restart, with Streams' record cache so that a
        // key written many times between commits (a group's progress, the batch counters) reaches the
        // changelog once. The prompt stats grow with the prompt pool and stay in RocksDB.
        builder.addStateStore(inMemory(ROLLOUT_STORE, serdes.serde(StoredRollout.class)));
        builder.addStateStore(inMemory(REWARD_STORE, rewardSerde));
        builder.addStateStore(inMemory(PROGRESS_STORE, GroupProgress.serde()));
        builder.addStateStore(inMemory(CLOSED_STORE, Serdes.Long()));
        builder.addStateStore(inMemory(BATCH_BUFFER_STORE, groupSerde));
        builder.addStateStore(inMemory(BATCH_STATE_STORE, Serdes.Long()));
        builder.addStateStore(Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(PROMPT_STATS_STORE), Serdes.String(), serdes.serde(PromptStats.class)));
        String[] accumulatorStores = {ROLLOUT_STORE, REWARD_STORE, PROGRESS_STORE, CLOSED_STORE};
        if (settings.staleness().enabled()) {
            // Every instance needs the newest version, whichever partitions it owns: a global store.
            // Its own changelog is rl.checkpoints itself, so logging is off.
            builder.addGlobalStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(POLICY_VERSION_STORE),
                            Serdes.String(), Serdes.Long()).withLoggingDisabled(),
                    inputs.name(Topic.CHECKPOINTS), Consumed.with(Serdes.String(), Serdes.ByteArray()),
                    () -> new PolicyVersionTracker(inputs.name(Topic.CHECKPOINTS),
                            serdes.serde(CheckpointPublished.class).deserializer(), counters));
        }

        KStream<String, Routed<SpecificRecord>> decoded = builder
                .stream(source.inputs().stream().map(inputs::name).toList(),
                        Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("rollouts-and-rewards"))
                .process(() -> new InputDecoder(rolloutsTopic, source, rolloutSerde.deserializer(),
                        rewardSerde.deserializer(), SERVICE, counters), Named.as("decode"));

        KStream<String, Routed<SpecificRecord>> accumulated = passOrDeadLetter(decoded, "decoded", deadLetters,
                deadLetterSerde)
                .process(() -> new GroupAccumulator(settings, rolloutSerde.serializer(), rewardSerde.serializer(),
                                SERVICE, counters),
                        Named.as("group-accumulator"), accumulatorStores);
        KStream<String, SpecificRecord> closed = passOrDeadLetter(accumulated, "closed", deadLetters, deadLetterSerde);
        KStream<String, TrainingBatchGroup> resolved = closed
                .mapValues(value -> (TrainingBatchGroup) value, Named.as("group-value"))
                .repartition(Repartitioned.with(Serdes.String(), groupSerde)
                        .withName(OUTCOMES_REPARTITION).withNumberOfPartitions(1));
        resolved.process(() -> new PromptStatsUpdater(settings.emaWeight()), Named.as("prompt-stats-updater"),
                        PROMPT_STATS_STORE)
                .to(outputs.name(Topic.PROMPT_STATS),
                        Produced.with(Serdes.String(), serdes.serde(PromptStats.class)).withName("prompt-stats"));
        Map<String, KStream<String, SpecificRecord>> assembled = resolved
                .process(() -> new BatchAssembler(settings, counters, logs), Named.as("batch-assembler"),
                        BATCH_BUFFER_STORE, BATCH_STATE_STORE)
                .split(Named.as("assembled-"))
                .branch((key, value) -> value instanceof PreferencePair, Branched.as("pairs"))
                .defaultBranch(Branched.as("batches"));
        assembled.get("assembled-pairs")
                .mapValues(value -> (PreferencePair) value, Named.as("pair-value"))
                .to(outputs.name(Topic.PREFERENCE_PAIRS),
                        Produced.with(Serdes.String(), serdes.serde(PreferencePair.class)).withName("preference-pairs"));
        assembled.get("assembled-batches")
                .mapValues(value -> (TrainingBatchGroup) value, Named.as("batch-value"))
                .to(outputs.name(Topic.TRAINING_BATCHES),
                        Produced.with(Serdes.String(), groupSerde).withName("training-batches"));
        return builder.build();
    }

    private static <V> StoreBuilder<KeyValueStore<String, V>> inMemory(String name, Serde<V> values) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
                .withCachingEnabled();
    }

    /** Sends the dead letters of a routed stream to rl.dead-letters (under the original key) and passes the rest on. */
    private static <T> KStream<String, T> passOrDeadLetter(KStream<String, Routed<T>> routed, String name,
            String deadLetterTopic, Serde<DeadLetter> deadLetterSerde) {
        Map<String, KStream<String, Routed<T>>> branches = routed.split(Named.as(name + "-"))
                .branch((key, value) -> value.isDead(), Branched.as("dead"))
                .defaultBranch(Branched.as("ok"));
        branches.get(name + "-dead")
                .mapValues(Routed::deadLetter, Named.as(name + "-dead-letter"))
                .to(deadLetterTopic, Produced.with(Serdes.String(), deadLetterSerde).withName(name + "-dead-letters"));
        return branches.get(name + "-ok").mapValues(Routed::value, Named.as(name + "-value"));
    }
}
