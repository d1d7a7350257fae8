package io.rlstream.reward.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.DeadLetter;
import io.rlstream.events.FinishReason;
import io.rlstream.events.Prompt;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.reward.verify.NumericExactMatch;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PlainAvroSerdes;
import java.nio.charset.StandardCharsets;
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

public class RewardTopologyTest {

    private final TopicCatalog catalog = TopicCatalog.defaults();
    private final PlainAvroSerdes serdes = new PlainAvroSerdes();
    private final RewardStats stats = new RewardStats();
    private TopologyTestDriver driver;
    private TestInputTopic<String, Prompt> prompts;
    private TestInputTopic<String, Rollout> rollouts;
    private TestInputTopic<String, byte[]> rawRollouts;
    private TestOutputTopic<String, Reward> rewards;
    private TestOutputTopic<String, DeadLetter> deadLetters;

    @BeforeEach
    void setUp() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "reward-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(RewardTopology.build(new StreamsBuilder(), catalog, serdes,
                new NumericExactMatch(1.0, 0.0), stats), props);
        prompts = driver.createInputTopic(catalog.name(Topic.PROMPTS), Serdes.String().serializer(),
                serdes.serde(Prompt.class).serializer());
        rollouts = driver.createInputTopic(catalog.name(Topic.ROLLOUTS), Serdes.String().serializer(),
                serdes.serde(Rollout.class).serializer());
        rawRollouts = driver.createInputTopic(catalog.name(Topic.ROLLOUTS), Serdes.String().serializer(),
                Serdes.ByteArray().serializer());
        rewards = driver.createOutputTopic(catalog.name(Topic.REWARDS), Serdes.String().deserializer(),
                serdes.serde(Reward.class).deserializer());
        deadLetters = driver.createOutputTopic(catalog.name(Topic.DEAD_LETTERS), Serdes.String().deserializer(),
                serdes.serde(DeadLetter.class).deserializer());
        prompts.pipeInput("p1", Prompt.newBuilder().setPromptId("p1").setText("37+48=").setReferenceAnswer("85")
                .setCreatedAt(Instant.EPOCH).build());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void scoresCorrectAndIncorrectResponsesAgainstTheReferenceFromThePromptsTopic() {
        rollouts.pipeInput("g1", rollout("g1", 0, "p1", "85", SampleStatus.OK));
        rollouts.pipeInput("g1", rollout("g1", 1, "p1", "84", SampleStatus.OK));
        var records = rewards.readKeyValuesToList();
        assertEquals(2, records.size());
        assertEquals("g1", records.get(0).key);
        assertEquals(1.0, records.get(0).value.getScore());
        assertEquals(SampleStatus.OK, records.get(0).value.getStatus());
        assertEquals(Map.of("correctness", 1.0), records.get(0).value.getComponents());
        assertEquals(0.0, records.get(1).value.getScore());
        assertEquals("g1/1", records.get(1).value.getRolloutId());
        assertEquals(2, stats.scored());
        assertEquals(1, stats.correct());
    }

    @Test
    void failedGenerationGivesAFailedRewardNotAZero() {
        rollouts.pipeInput("g1", rollout("g1", 0, "p1", "", SampleStatus.FAILED));
        Reward reward = rewards.readValue();
        assertEquals(SampleStatus.FAILED, reward.getStatus());
        assertTrue(reward.getReason().startsWith("generation failed"), reward.getReason());
        assertEquals(Map.of("generation-failed", 1L), stats.failures());
    }

    @Test
    void unknownPromptGivesAFailedReward() {
        rollouts.pipeInput("g2", rollout("g2", 0, "nope", "85", SampleStatus.OK));
        Reward reward = rewards.readValue();
        assertEquals(SampleStatus.FAILED, reward.getStatus());
        assertTrue(reward.getReason().contains("nope"));
    }

    @Test
    void undecodableRolloutBecomesADeadLetterAndTheStreamGoesOn() {
        rawRollouts.pipeInput("g3", "not avro".getBytes(StandardCharsets.UTF_8));
        rollouts.pipeInput("g1", rollout("g1", 0, "p1", "85", SampleStatus.OK));
        DeadLetter dead = deadLetters.readValue();
        assertEquals(catalog.name(Topic.ROLLOUTS), dead.getSourceTopic());
        assertEquals(RewardTopology.SERVICE, dead.getService());
        assertEquals(8, dead.getSize());
        assertTrue(dead.getError().startsWith("cannot decode 8 bytes"), dead.getError());
        assertEquals(1.0, rewards.readValue().getScore());
        assertEquals(1, stats.deadLetters());
    }

    public static Rollout rollout(String group, int index, String promptId, String text, SampleStatus status) {
        return Rollout.newBuilder()
                .setRolloutId(group + "/" + index).setGroupId(group).setPromptId(promptId).setSampleIndex(index)
                .setGroupSize(2).setPromptTokenIds(List.of(1, 2)).setResponseTokenIds(List.of(3))
                .setBehaviourLogprobs(List.of(-0.5f)).setResponseText(text).setPolicyVersion(0)
                .setFinishReason(status == SampleStatus.OK ? FinishReason.STOP : FinishReason.ERROR)
                .setStatus(status).setError(status == SampleStatus.OK ? null : "boom")
                .setGeneratedAt(Instant.EPOCH).build();
    }
}
