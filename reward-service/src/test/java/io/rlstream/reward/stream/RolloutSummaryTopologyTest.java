package io.rlstream.reward.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.DeadLetter;
import io.rlstream.events.FinishReason;
import io.rlstream.events.Prompt;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.RolloutPosition;
import io.rlstream.events.RolloutSummary;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.UserFeedback;
import io.rlstream.reward.feedback.FeedbackMapping;
import io.rlstream.reward.score.RewardScorer;
import io.rlstream.reward.verify.Verification;
import io.rlstream.reward.verify.Verifier;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PlainAvroSerdes;
import io.rlstream.tokens.Tokens;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: every reward made from a rollout carries the rollout's summary and its position on
 * rl.rollouts (Reward.rollout), which the grouping app uses instead of reading rl.rollouts; the
 * checks the grouping app made of rollouts happen here (RolloutCheck). Positions: the test driver
 * gives the records of an input topic offsets 0, 1, 2, ... on partition 0, in the order piped.
 */
class RolloutSummaryTopologyTest {

    private final TopicCatalog catalog = TopicCatalog.defaults();
    private final PlainAvroSerdes serdes = new PlainAvroSerdes();
    private final RewardStats stats = new RewardStats();
    private TopologyTestDriver driver;
    private TestInputTopic<String, Rollout> rollouts;
    private TestInputTopic<String, UserFeedback> feedback;
    private TestOutputTopic<String, Reward> rewards;
    private TestOutputTopic<String, DeadLetter> deadLetters;

    /** Right when the response is the reference; fails (a verifier error, not a zero) on "crash". */
    private static final Verifier EXACT_OR_CRASH = new Verifier() {
        @Override
        public String name() {
            return "exact-or-crash";
        }

        @Override
        public Verification verify(String response, String reference) {
            return response.equals("crash") ? Verification.failed("verifier crashed")
                    : Verification.scored(response.equals(reference) ? 1 : 0, response, "compared");
        }
    };

    private void start(RewardTopology.Batching batching) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "reward-summary-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(RewardTopology.build(new StreamsBuilder(), catalog, serdes,
                RewardScorer.of(EXACT_OR_CRASH), batching, FeedbackMapping.parse("thumbs_up=1"), stats), props);
        driver.createInputTopic(catalog.name(Topic.PROMPTS), Serdes.String().serializer(),
                serdes.serde(Prompt.class).serializer())
                .pipeInput("p1", Prompt.newBuilder().setPromptId("p1").setText("37+48=").setReferenceAnswer("85")
                        .setCreatedAt(Instant.EPOCH).build());
        rollouts = driver.createInputTopic(catalog.name(Topic.ROLLOUTS), Serdes.String().serializer(),
                serdes.serde(Rollout.class).serializer());
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

    /** Sample {@code index} of group g (G = 4) for prompt {@code prompt}: 3 response tokens, {@code logprobs} logprobs. */
    private static Rollout rollout(int index, String prompt, String text, SampleStatus status, int logprobs) {
        float[] lp = new float[logprobs];
        java.util.Arrays.fill(lp, -0.5f);
        return Tokens.pack(Rollout.newBuilder(), new int[] {1, 2}, new int[] {3, 4, 5}, lp)
                .setRolloutId("g/" + index).setGroupId("g").setPromptId(prompt).setSampleIndex(index)
                .setGroupSize(4).setResponseText(text).setPolicyVersion(7)
                .setFinishReason(status == SampleStatus.OK ? FinishReason.STOP : FinishReason.ERROR)
                .setStatus(status).setError(status == SampleStatus.OK ? null : "worker lost its GPU")
                .setTemperature(0.8f).setMaxNewTokens(16).setGeneratedAt(Instant.EPOCH).build();
    }

    @Test
    void everyRewardFromARolloutCarriesItsSummaryAndOffset() {
        start(null);
        rollouts.pipeInput("g", rollout(0, "p1", "85", SampleStatus.OK, 3));           // offset 0: OK, 1.0
        rollouts.pipeInput("g", rollout(1, "p1", "", SampleStatus.FAILED, 0));          // offset 1: failed generation
        rollouts.pipeInput("g", rollout(2, "nope", "85", SampleStatus.OK, 3));         // offset 2: unknown prompt
        rollouts.pipeInput("g", rollout(3, "p1", "crash", SampleStatus.OK, 3));        // offset 3: verifier failed
        List<Reward> out = rewards.readValuesToList();
        assertEquals(4, out.size());
        for (int i = 0; i < 4; i++) {
            RolloutSummary s = out.get(i).getRollout();
            assertEquals("g/" + i, s.getRolloutId());
            assertEquals(i, s.getSampleIndex());
            assertEquals(4, s.getGroupSize());
            assertEquals(7L, s.getPolicyVersion());
            assertEquals(0.8f, s.getTemperature());
            assertEquals(16, s.getMaxNewTokens());
            assertEquals(new RolloutPosition(0, (long) i), s.getSource(), "the rollout's own offset");
        }
        assertEquals(SampleStatus.OK, out.get(0).getStatus());
        assertEquals(1.0, out.get(0).getScore());
        assertEquals(3, out.get(0).getRollout().getResponseLength());
        assertEquals("p1", out.get(0).getRollout().getPromptId());
        // the failed generation: the summary says FAILED with the worker's error, length 0
        assertEquals(SampleStatus.FAILED, out.get(1).getRollout().getStatus());
        assertEquals("worker lost its GPU", out.get(1).getRollout().getError());
        assertEquals(0, out.get(1).getRollout().getResponseLength());
        assertEquals(FinishReason.ERROR, out.get(1).getRollout().getFinishReason());
        // unknown prompt and failed verifier: FAILED rewards of OK rollouts
        assertEquals(SampleStatus.FAILED, out.get(2).getStatus());
        assertEquals(SampleStatus.OK, out.get(2).getRollout().getStatus());
        assertEquals(SampleStatus.FAILED, out.get(3).getStatus());
        assertEquals(SampleStatus.OK, out.get(3).getRollout().getStatus());
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void aRolloutWithTwoLogprobsForThreeTokensIsADeadLetterAndAFailedRewardNeverAZero() {
        start(null);
        rollouts.pipeInput("g", rollout(0, "p1", "85", SampleStatus.OK, 2));
        DeadLetter dead = deadLetters.readValue();
        String why = "rollout g/0 has 2 behaviour logprobs for 3 response tokens; sample excluded from its group as failed";
        assertEquals(why, dead.getError());
        assertEquals(0L, dead.getSourceOffset());
        Reward reward = rewards.readValue();
        assertEquals(SampleStatus.FAILED, reward.getStatus(), "the response was right (85), but its logprobs are unusable");
        assertEquals(why, reward.getReason());
        assertEquals(SampleStatus.FAILED, reward.getRollout().getStatus());
        assertEquals(why, reward.getRollout().getError());
        assertEquals(new RolloutPosition(0, 0L), reward.getRollout().getSource());
        assertEquals(java.util.Map.of("unusable-rollout", 1L), stats.failures());
        assertEquals(0, stats.scored());
    }

    @Test
    void aRolloutThatCannotBePlacedIsADeadLetterWithoutAReward() {
        start(null);
        rollouts.pipeInput("other-key", rollout(0, "p1", "85", SampleStatus.OK, 3));
        rollouts.pipeInput("g", Rollout.newBuilder(rollout(1, "p1", "85", SampleStatus.OK, 3)).setSampleIndex(4).build());
        List<DeadLetter> dead = deadLetters.readValuesToList();
        assertEquals(List.of("rollout g/0 has group_id 'g' but record key 'other-key'; rollouts must be keyed by their group_id",
                "rollout g/1 has sample_index 4; expected 0..3 for group_size 4"),
                dead.stream().map(DeadLetter::getError).toList());
        assertTrue(rewards.isEmpty());
        assertEquals(2, stats.deadLetters());
    }

    @Test
    void batchedScoringKeepsEachRolloutsPositionWhileItWaits() {
        start(new RewardTopology.Batching(3, Duration.ofMillis(500)));
        rollouts.pipeInput("g", rollout(0, "p1", "85", SampleStatus.OK, 3));      // offset 0, waits
        rollouts.pipeInput("g", rollout(1, "p1", "", SampleStatus.FAILED, 0));     // offset 1, FAILED at once
        rollouts.pipeInput("g", rollout(2, "p1", "84", SampleStatus.OK, 2));       // offset 2, unusable: FAILED at once
        List<Reward> atOnce = rewards.readValuesToList();
        assertEquals(List.of("g/1", "g/2"), atOnce.stream().map(Reward::getRolloutId).toList());
        assertEquals(List.of(1L, 2L), atOnce.stream().map(r -> r.getRollout().getSource().getOffset()).toList());
        rollouts.pipeInput("g", rollout(3, "p1", "84", SampleStatus.OK, 3));      // offset 3, waits
        driver.advanceWallClockTime(Duration.ofMillis(600));
        List<Reward> scored = rewards.readValuesToList();
        assertEquals(2, scored.size());
        for (Reward r : scored) {
            int index = r.getRollout().getSampleIndex();
            assertEquals(new RolloutPosition(0, (long) index), r.getRollout().getSource());
            assertEquals(index == 0 ? 1.0 : 0.0, r.getScore());
        }
        assertEquals(1, deadLetters.readValuesToList().size(), "the unusable rollout");
    }

    @Test
    void rewardsFromUserFeedbackCarryNoSummary() {
        start(null);
        feedback.pipeInput("g/0", UserFeedback.newBuilder().setResponseId("r1")
                .setRolloutId("g/0").setPromptId("p1").setUserId("u").setReaction("thumbs_up")
                .setTime(Instant.EPOCH).build());
        Reward reward = rewards.readValue();
        assertEquals(RewardTopology.FEEDBACK_VERIFIER, reward.getVerifier());
        assertNull(reward.getRollout());
    }
}
