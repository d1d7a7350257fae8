package io.rlstream.reward.stream;

import static io.rlstream.reward.stream.RewardTopologyTest.rollout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.DeadLetter;
import io.rlstream.events.Prompt;
import io.rlstream.events.Reward;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.UserFeedback;
import io.rlstream.ops.poison.BadRecords.Generic;
import io.rlstream.reward.feedback.FeedbackMapping;
import io.rlstream.reward.score.RewardScorer;
import io.rlstream.reward.verify.NumericExactMatch;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.RegistryFixture;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 19: the five generic bad records (undecodable bytes, unknown schema id, empty value,
 * tombstone, another Avro type with valid registry framing) on each input of the reward service.
 * On rl.rollouts and rl.feedback each is a dead letter with its reason and position, counted; on
 * rl.prompts (a global table, which cannot write dead letters) each is skipped or, for a tombstone,
 * deletes its prompt, and never reaches the join as another type. A good record after them still
 * becomes a reward. The real schema registry's serdes: only they decode another event's bytes to
 * another class.
 */
class RewardBadInputTest {

    private final TopicCatalog catalog = TopicCatalog.defaults();
    private final RewardStats stats = new RewardStats();
    private SerdeFactory serdes;
    private TopologyTestDriver driver;
    private TestOutputTopic<String, Reward> rewards;
    private TestOutputTopic<String, DeadLetter> deadLetters;

    @BeforeEach
    void setUp() {
        serdes = RegistryFixture.serdes();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "reward-bad-input-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        // as RewardService sets it: guards the prompts table
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        driver = new TopologyTestDriver(RewardTopology.build(new StreamsBuilder(), catalog, serdes,
                RewardScorer.of(new NumericExactMatch(1, 0)), FeedbackMapping.parse("thumbs_up=1,thumbs_down=-1"), stats),
                props);
        rewards = driver.createOutputTopic(catalog.name(Topic.REWARDS), Serdes.String().deserializer(),
                serdes.serde(Reward.class).deserializer());
        deadLetters = driver.createOutputTopic(catalog.name(Topic.DEAD_LETTERS), Serdes.String().deserializer(),
                serdes.serde(DeadLetter.class).deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private TestInputTopic<String, byte[]> raw(Topic topic) {
        return driver.createInputTopic(catalog.name(topic), Serdes.String().serializer(), Serdes.ByteArray().serializer());
    }

    private <T extends SpecificRecord> byte[] bytes(Topic topic, T value) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) value.getClass();
        return serdes.serde(type).serializer().serialize(catalog.name(topic), value);
    }

    private static Prompt prompt(String id) {
        return Prompt.newBuilder().setPromptId(id).setText("37+48=").setReferenceAnswer("85")
                .setCreatedAt(Instant.EPOCH).build();
    }

    private static Reward reward() {
        return Reward.newBuilder().setRolloutId("g/0").setGroupId("g").setPromptId("p1").setScore(1)
                .setStatus(SampleStatus.OK).setVerifier("test").setScoredAt(Instant.EPOCH).build();
    }

    @ParameterizedTest
    @EnumSource(names = {"ROLLOUTS", "FEEDBACK"})
    void everyGenericBadRecordIsADeadLetterAndAGoodRecordAfterThemIsScored(Topic input) {
        raw(Topic.PROMPTS).pipeInput("p1", bytes(Topic.PROMPTS, prompt("p1")));
        TestInputTopic<String, byte[]> topic = raw(input);
        // another event's bytes with valid framing: a Reward on rl.rollouts, a Prompt on rl.feedback
        SpecificRecord wrong = input == Topic.ROLLOUTS ? reward() : prompt("x");
        List<Generic> sent = new ArrayList<>(List.of(Generic.values()));
        sent.add(Generic.WRONG_TYPE); // the same record replayed: a dead letter again, never a stop
        for (Generic bad : sent) {
            topic.pipeInput("x", bad.bytes(serdes, catalog.name(input), wrong));
        }
        if (input == Topic.ROLLOUTS) {
            topic.pipeInput("g", bytes(input, rollout("g", 0, "p1", "85", SampleStatus.OK)));
        } else {
            topic.pipeInput("resp", bytes(input, UserFeedback.newBuilder().setResponseId("resp").setRolloutId("g/0")
                    .setPromptId("p1").setReaction("thumbs_up").setValue(null).setUserId("u").setTime(Instant.EPOCH)
                    .build()));
        }

        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertEquals(sent.size(), letters.size(), letters.toString());
        String expected = input == Topic.ROLLOUTS ? "Rollout" : "UserFeedback";
        for (int i = 0; i < letters.size(); i++) {
            DeadLetter letter = letters.get(i);
            assertEquals(catalog.name(input), letter.getSourceTopic());
            assertEquals(i, letter.getSourceOffset(), sent.get(i) + " at its offset");
            assertEquals(RewardTopology.SERVICE, letter.getService());
            assertTrue(sent.get(i).explains(letter.getError(), expected, wrong.getSchema().getFullName()),
                    sent.get(i) + ": " + letter.getError());
        }
        assertEquals(sent.size(), stats.deadLetters());
        Reward out = rewards.readValue();
        assertEquals("g/0", out.getRolloutId());
        assertEquals(SampleStatus.OK, out.getStatus());
        assertEquals(1.0, out.getScore(), "85 is the reference answer; thumbs_up=1");
        assertTrue(rewards.isEmpty());
    }

    @ParameterizedTest
    @EnumSource(names = {"PROMPTS"})
    void everyGenericBadRecordOnPromptsIsSkippedAndNeverReachesTheJoin(Topic input) {
        TestInputTopic<String, byte[]> prompts = raw(input);
        prompts.pipeInput("p1", bytes(input, prompt("p1")));
        // every bad record keyed p1: a tombstone deletes p1 (a compacted topic's delete), the others are
        // skipped; a Reward under p1 would otherwise reach the join as a "Prompt"
        for (Generic bad : Generic.values()) {
            if (bad != Generic.TOMBSTONE) {
                prompts.pipeInput("p1", bad.bytes(serdes, catalog.name(input), reward()));
            }
        }
        prompts.pipeInput("p2", bytes(input, prompt("p2")));
        TestInputTopic<String, byte[]> rollouts = raw(Topic.ROLLOUTS);
        rollouts.pipeInput("g", bytes(Topic.ROLLOUTS, rollout("g", 0, "p1", "85", SampleStatus.OK)));
        rollouts.pipeInput("h", bytes(Topic.ROLLOUTS, rollout("h", 0, "p2", "85", SampleStatus.OK)));
        // the tombstone last: p1 is gone, p2 stays
        prompts.pipeInput("p1", Generic.TOMBSTONE.bytes(serdes, catalog.name(input), reward()));
        rollouts.pipeInput("g", bytes(Topic.ROLLOUTS, rollout("g", 1, "p1", "85", SampleStatus.OK)));

        List<Reward> out = rewards.readValuesToList();
        assertEquals(List.of("g/0", "h/0", "g/1"), out.stream().map(Reward::getRolloutId).toList());
        // p1 survived the four bad records: still the prompt it was
        assertEquals(SampleStatus.OK, out.get(0).getStatus());
        assertEquals(1.0, out.get(0).getScore());
        assertEquals(1.0, out.get(1).getScore());
        // after the tombstone, p1 is unknown
        assertEquals(SampleStatus.FAILED, out.get(2).getStatus());
        assertTrue(deadLetters.isEmpty(), "a global table writes no dead letters");
    }
}
