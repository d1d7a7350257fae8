package io.rlstream.processors.grouping;

import io.rlstream.rollouts.RolloutLog;
import static io.rlstream.processors.grouping.GroupingTopologyTest.ok;
import static io.rlstream.processors.grouping.GroupingTopologyTest.reward;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.DeadLetter;
import io.rlstream.events.Prompt;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.ops.poison.BadRecords.Generic;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.processors.config.RolloutsSource;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.RegistryFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 19: every generic bad record (undecodable bytes, unknown schema id, empty value, tombstone,
 * another Avro type with valid registry framing) on each input of the grouping app is a dead letter
 * with its reason and source position, and a good group after it still becomes a batch. The real
 * schema registry's serdes, because only they decode another event's bytes to another class (the
 * cast that stopped the Streams client).
 */
class GroupingBadInputTest {

    private static final TopicCatalog CATALOG = TopicCatalog.defaults();

    @TempDir(factory = GroupingTopologyTest.UnderTarget.class)
    Path stateDir;

    private TopologyTestDriver driver;
    private SerdeFactory serdes;
    private final List<byte[]> rolloutLog = new ArrayList<>();
    private TestInputTopic<String, byte[]> rollouts;
    private TestInputTopic<String, byte[]> rewards;
    private TestOutputTopic<String, TrainingBatchGroup> batches;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private GroupingCounters counters;

    private void start(GroupingSettings settings) {
        serdes = RegistryFixture.serdes();
        counters = new GroupingCounters();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "grouping-bad-input-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // Reads rollouts back by offset, as KafkaRolloutLog does, with the registry serde.
        RolloutLog log = new RolloutLog() {
            @Override
            public Map<Position, io.rlstream.events.Rollout> read(java.util.Collection<Position> positions) {
                Map<Position, io.rlstream.events.Rollout> out = new HashMap<>();
                for (Position p : positions) {
                    out.put(p, serdes.serde(io.rlstream.events.Rollout.class).deserializer()
                            .deserialize(CATALOG.name(Topic.ROLLOUTS), rolloutLog.get((int) p.offset())));
                }
                return out;
            }

            @Override
            public void close() {
            }
        };
        driver = new TopologyTestDriver(GroupingTopology.build(new StreamsBuilder(), CATALOG, CATALOG, serdes, settings,
                RolloutsSource.ROLLOUTS_TOPIC, counters, () -> log), props);
        rollouts = driver.createInputTopic(CATALOG.name(Topic.ROLLOUTS), Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        rewards = driver.createInputTopic(CATALOG.name(Topic.REWARDS), Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        batches = driver.createOutputTopic(CATALOG.name(Topic.TRAINING_BATCHES), Serdes.String().deserializer(),
                serdes.serde(TrainingBatchGroup.class).deserializer());
        deadLetters = driver.createOutputTopic(CATALOG.name(Topic.DEAD_LETTERS), Serdes.String().deserializer(),
                serdes.serde(DeadLetter.class).deserializer());
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    private void pipeRollout(String key, byte[] value) {
        rolloutLog.add(value);
        rollouts.pipeInput(key, value);
    }

    private <T extends SpecificRecord> byte[] bytes(String topic, T value) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) value.getClass();
        return serdes.serde(type).serializer().serialize(topic, value);
    }

    /** A good group g of two samples, rewards 1 and 0: one batch. */
    private void goodGroup() {
        String r = CATALOG.name(Topic.ROLLOUTS);
        String w = CATALOG.name(Topic.REWARDS);
        pipeRollout("g", bytes(r, ok("g", 0, 2)));
        pipeRollout("g", bytes(r, ok("g", 1, 2)));
        rewards.pipeInput("g", bytes(w, reward("g", 0, 1.0, SampleStatus.OK)));
        rewards.pipeInput("g", bytes(w, reward("g", 1, 0.0, SampleStatus.OK)));
    }

    @ParameterizedTest
    @EnumSource(names = {"ROLLOUTS", "REWARDS"})
    void everyGenericBadRecordIsADeadLetterAndAGoodGroupStillGoesThrough(Topic input) {
        start(GroupingSettings.defaults("test").withBatchGroups(1));
        String topic = CATALOG.name(input);
        // another event's bytes on this topic, registered under its subject: a Reward on
        // rl.rollouts, a Prompt on rl.rewards
        SpecificRecord wrong = input == Topic.ROLLOUTS ? reward("x", 0, 1.0, SampleStatus.OK) : prompt();
        for (Generic bad : Generic.values()) {
            byte[] value = bad.bytes(serdes, topic, wrong);
            if (input == Topic.ROLLOUTS) {
                pipeRollout("x", value);
            } else {
                rewards.pipeInput("x", value);
            }
            // replaying the same record is handled the same way: the stream never stops
            if (bad == Generic.WRONG_TYPE) {
                if (input == Topic.ROLLOUTS) {
                    pipeRollout("x", value);
                } else {
                    rewards.pipeInput("x", value);
                }
            }
        }
        goodGroup();

        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertEquals(Generic.values().length + 1, letters.size(), letters.toString());
        for (int i = 0; i < letters.size(); i++) {
            Generic bad = Generic.values()[Math.min(i, Generic.values().length - 1)];
            DeadLetter letter = letters.get(i);
            assertEquals(topic, letter.getSourceTopic());
            assertEquals(0, letter.getSourcePartition());
            assertEquals(i, letter.getSourceOffset(), "offset of the " + bad + " record");
            assertEquals(GroupingTopology.SERVICE, letter.getService());
            assertTrue(bad.explains(letter.getError(), input == Topic.ROLLOUTS ? "Rollout" : "Reward",
                    wrong.getSchema().getFullName()), bad + ": " + letter.getError());
        }
        assertEquals(Generic.values().length + 1, counters.get(GroupingCounters.DEAD_LETTERS));

        List<TrainingBatchGroup> out = batches.readValuesToList();
        assertEquals(List.of("g"), out.stream().map(TrainingBatchGroup::getGroupId).toList());
        assertEquals(2, out.get(0).getSamples().size());
    }

    @ParameterizedTest
    @EnumSource(names = {"CHECKPOINTS"})
    void everyGenericBadRecordOnCheckpointsIsSkippedCountedAndAGoodOneStillCounts(Topic input) {
        start(GroupingSettings.defaults("test").withBatchGroups(1).withStaleness(1));
        String topic = CATALOG.name(input);
        TestInputTopic<String, byte[]> checkpoints = driver.createInputTopic(topic, Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        // the wrong type: a Prompt
        for (Generic bad : Generic.values()) {
            checkpoints.pipeInput("policy", bad.bytes(serdes, topic, prompt()));
        }
        KeyValueStore<String, Long> versions = driver.getKeyValueStore(GroupingTopology.POLICY_VERSION_STORE);
        assertEquals(null, versions.get(GroupingTopology.POLICY_VERSION_KEY), "no bad record set a version");
        assertEquals(Generic.values().length, counters.get(GroupingCounters.CHECKPOINTS_SKIPPED));

        checkpoints.pipeInput("policy", bytes(topic, CheckpointPublished.newBuilder().setPolicyName("policy")
                .setVersion(1).setUri("file:/tmp/v1").setStep(1).setCreatedAt(Instant.EPOCH).build()));
        assertEquals(1L, versions.get(GroupingTopology.POLICY_VERSION_KEY));
        // and the topology still groups: a good group (version 0, within staleness 1 of 1) becomes a batch
        goodGroup();
        assertEquals(1, batches.readValuesToList().size());
    }

    private static Prompt prompt() {
        return Prompt.newBuilder().setPromptId("p").setText("what?").setCreatedAt(Instant.EPOCH).build();
    }
}
