package io.rlstream.reward.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.DeadLetter;
import io.rlstream.events.Reward;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.UserFeedback;
import io.rlstream.reward.feedback.FeedbackMapping;
import io.rlstream.reward.score.RewardScorer;
import io.rlstream.reward.verify.NumericExactMatch;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PlainAvroSerdes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RLUF: reactions on rl.feedback become rewards for the rollouts they name, by the mapping. */
class FeedbackTopologyTest {

    private final TopicCatalog catalog = TopicCatalog.defaults();
    private final PlainAvroSerdes serdes = new PlainAvroSerdes();
    private final RewardStats stats = new RewardStats();
    private TopologyTestDriver driver;
    private TestInputTopic<String, UserFeedback> feedback;
    private TestOutputTopic<String, Reward> rewards;
    private TestOutputTopic<String, DeadLetter> deadLetters;

    @BeforeEach
    void setUp() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "feedback-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(RewardTopology.build(new StreamsBuilder(), catalog, serdes,
                RewardScorer.of(new NumericExactMatch(1, 0)),
                FeedbackMapping.parse("thumbs_up=1,thumbs_down=-1,stars=1..5"), stats), props);
        feedback = driver.createInputTopic(catalog.name(Topic.FEEDBACK), Serdes.String().serializer(),
                serdes.serde(UserFeedback.class).serializer());
        rewards = driver.createOutputTopic(catalog.name(Topic.REWARDS), Serdes.String().deserializer(),
                serdes.serde(Reward.class).deserializer());
        deadLetters = driver.createOutputTopic(catalog.name(Topic.DEAD_LETTERS), Serdes.String().deserializer(),
                serdes.serde(DeadLetter.class).deserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    private static UserFeedback reaction(String rolloutId, String reaction, Double value) {
        return UserFeedback.newBuilder().setResponseId("resp-" + rolloutId).setRolloutId(rolloutId).setPromptId("p1")
                .setReaction(reaction).setValue(value).setUserId("u7").setTime(Instant.ofEpochMilli(1234)).build();
    }

    @Test
    void reactionsBecomeRewardsOfTheirRolloutsKeyedByGroup() {
        feedback.pipeInput("resp-a", reaction("g1/0", "thumbs_up", null));
        feedback.pipeInput("resp-b", reaction("g1/1", "thumbs_down", null));
        // 4 stars on a 1..5 scale rescale to [-1, 1]: (4 − 1)/(5 − 1)·2 − 1 = 0.5
        feedback.pipeInput("resp-c", reaction("g2/3", "stars", 4.0));
        var out = rewards.readKeyValuesToList();
        assertEquals(List.of("g1", "g1", "g2"), out.stream().map(kv -> kv.key).toList());
        assertEquals(List.of(1.0, -1.0, 0.5), out.stream().map(kv -> kv.value.getScore()).toList());
        Reward first = out.get(0).value;
        assertEquals("g1/0", first.getRolloutId());
        assertEquals(SampleStatus.OK, first.getStatus());
        assertEquals(RewardTopology.FEEDBACK_VERIFIER, first.getVerifier());
        assertEquals(Map.of("feedback", 1.0), first.getComponents());
        assertEquals(Instant.ofEpochMilli(1234), first.getScoredAt());
    }

    @Test
    void reactionsThatMatchNoRolloutOrNoMappingAreDeadLettersNotZeros() {
        feedback.pipeInput("resp-x", reaction("g1/0", "shrug", null));
        feedback.pipeInput("resp-y", UserFeedback.newBuilder(reaction("g1/0", "thumbs_up", null)).setRolloutId(null).build());
        feedback.pipeInput("resp-z", reaction("g1/0", "stars", 9.0));
        assertTrue(rewards.isEmpty());
        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertEquals(3, letters.size());
        assertTrue(letters.get(0).getError().contains("'shrug'"), letters.get(0).getError());
        assertTrue(letters.get(1).getError().contains("no rollout_id"), letters.get(1).getError());
        assertTrue(letters.get(2).getError().contains("value 9.0"), letters.get(2).getError());
        assertEquals(3, stats.deadLetters());
    }

    /**
     * Issue 19: a reaction whose value is NaN or infinite is a dead letter with its reason, counted,
     * whatever its rule: a fixed reward (thumbs_up=1) once took it as a thumbs up, silently.
     */
    @Test
    void reactionsWithANonFiniteValueAreDeadLettersWhateverTheirRule() {
        feedback.pipeInput("resp-a", reaction("g1/0", "thumbs_up", Double.NaN));
        feedback.pipeInput("resp-b", reaction("g1/1", "stars", Double.POSITIVE_INFINITY));
        feedback.pipeInput("resp-c", reaction("g1/2", "thumbs_down", Double.NEGATIVE_INFINITY));
        // a good reaction after them still becomes a reward
        feedback.pipeInput("resp-d", reaction("g1/3", "thumbs_up", null));
        var out = rewards.readValuesToList();
        assertEquals(List.of("g1/3"), out.stream().map(Reward::getRolloutId).toList());
        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertEquals(List.of(0L, 1L, 2L), letters.stream().map(DeadLetter::getSourceOffset).toList());
        assertEquals("reaction 'thumbs_up' on rollout g1/0 has value NaN; a rating must be a finite number",
                letters.get(0).getError());
        assertTrue(letters.get(1).getError().contains("has value Infinity"), letters.get(1).getError());
        assertTrue(letters.get(2).getError().contains("has value -Infinity"), letters.get(2).getError());
        assertEquals(catalog.name(Topic.FEEDBACK), letters.get(0).getSourceTopic());
        assertEquals(3, stats.deadLetters());
    }

    /** reward.score-rollouts = false: no verifier, rl.rollouts is not read, reactions are the rewards. */
    @Test
    void aFeedbackOnlyTopologyReadsNoRolloutsAndStillTurnsReactionsIntoRewards() {
        org.apache.kafka.streams.Topology feedbackOnly = RewardTopology.build(new StreamsBuilder(), catalog, serdes, null,
                FeedbackMapping.parse("thumbs_up=1"), new RewardStats());
        String description = feedbackOnly.describe().toString();
        org.junit.jupiter.api.Assertions.assertFalse(description.contains(catalog.name(Topic.ROLLOUTS)), description);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "feedback-only-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (TopologyTestDriver only = new TopologyTestDriver(feedbackOnly, props)) {
            only.createInputTopic(catalog.name(Topic.FEEDBACK), Serdes.String().serializer(),
                    serdes.serde(UserFeedback.class).serializer()).pipeInput("resp-a", reaction("g1/0", "thumbs_up", null));
            Reward r = only.createOutputTopic(catalog.name(Topic.REWARDS), Serdes.String().deserializer(),
                    serdes.serde(Reward.class).deserializer()).readValue();
            assertEquals(1.0, r.getScore());
            assertEquals(RewardTopology.FEEDBACK_VERIFIER, r.getVerifier());
        }
    }
}
