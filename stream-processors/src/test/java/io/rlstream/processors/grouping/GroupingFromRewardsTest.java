package io.rlstream.processors.grouping;

import static io.rlstream.processors.grouping.GroupingTopologyTest.ok;
import static io.rlstream.processors.grouping.GroupingTopologyTest.reward;
import static io.rlstream.processors.grouping.GroupingTopologyTest.rollout;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.DeadLetter;
import io.rlstream.events.FinishReason;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.RolloutPosition;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.processors.config.RolloutsSource;
import io.rlstream.processors.feedback.FeedbackMerge;
import io.rlstream.processors.filter.NonEmpty;
import io.rlstream.rollouts.RolloutCheck;
import io.rlstream.rollouts.RolloutSummaries;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PlainAvroSerdes;
import io.rlstream.tokens.Tokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * grouping.rollouts.source = rewards (issue 18): the grouping app reads rl.rewards only, each
 * verifier reward carrying its rollout's summary and position (Reward.rollout) as the reward
 * service writes it. The rollouts are still on rl.rollouts for the batch's token read-back: here a
 * list, each rollout at its offset, that the rewards' summaries point into, as the reward service
 * would summarise the rollouts it read (RolloutSummaries.of). Advantages worked out by hand (GRPO,
 * sample std, epsilon 1e-6).
 */
class GroupingFromRewardsTest {

    private static final float TOL = 1e-5f;
    private static final TopicCatalog CATALOG = TopicCatalog.defaults();
    private static final SerdeFactory SERDES = new PlainAvroSerdes();

    private TopologyTestDriver driver;
    private final List<byte[]> rolloutLog = new ArrayList<>();
    private TestInputTopic<String, Reward> rewards;
    private TestOutputTopic<String, TrainingBatchGroup> batches;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private GroupingCounters counters;

    private void start(GroupingSettings settings) throws IOException {
        start(settings, RolloutsSource.REWARDS);
    }

    private void start(GroupingSettings settings, RolloutsSource source) throws IOException {
        counters = new GroupingCounters();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "grouping-from-rewards-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        Files.createDirectories(Path.of("target"));
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory(Path.of("target"), "streams-state-").toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(topology(settings, source), props);
        rewards = driver.createInputTopic(CATALOG.name(Topic.REWARDS), Serdes.String().serializer(),
                SERDES.serde(Reward.class).serializer());
        batches = driver.createOutputTopic(CATALOG.name(Topic.TRAINING_BATCHES), Serdes.String().deserializer(),
                SERDES.serde(TrainingBatchGroup.class).deserializer());
        deadLetters = driver.createOutputTopic(CATALOG.name(Topic.DEAD_LETTERS), Serdes.String().deserializer(),
                SERDES.serde(DeadLetter.class).deserializer());
    }

    private Topology topology(GroupingSettings settings, RolloutsSource source) {
        return GroupingTopology.build(new StreamsBuilder(), CATALOG, CATALOG, SERDES, settings, source,
                counters, () -> new GroupingTopologyTest.PipedRollouts(rolloutLog));
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    /** Writes the rollout to "rl.rollouts" (the log) and returns where it is. */
    private RolloutPosition write(Rollout r) {
        rolloutLog.add(SERDES.serde(Rollout.class).serializer().serialize(CATALOG.name(Topic.ROLLOUTS), r));
        return new RolloutPosition(0, (long) rolloutLog.size() - 1);
    }

    /** The reward the reward service makes of {@code w}'s rollout {@code r}: w with r's summary (as checked there). */
    private Reward withSummary(Reward w, Rollout r) {
        RolloutPosition at = write(r);
        Rollout checked = RolloutCheck.demoteIfUnusable(r);
        return Reward.newBuilder(w).setRollout(RolloutSummaries.of(checked, at.getPartition(), at.getOffset())).build();
    }

    private void group(String group, double... scores) {
        for (int i = 0; i < scores.length; i++) {
            rewards.pipeInput(group, withSummary(reward(group, i, scores[i], SampleStatus.OK), ok(group, i, scores.length)));
        }
    }

    private static float[] advantages(TrainingBatchGroup g) {
        float[] a = new float[g.getSamples().size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = g.getSamples().get(i).getAdvantage();
        }
        return a;
    }

    private static Reward feedback(String group, int index, double value) {
        return Reward.newBuilder(reward(group, index, value, SampleStatus.OK)).setVerifier(FeedbackMerge.FEEDBACK_VERIFIER)
                .setComponents(Map.of(FeedbackMerge.FEEDBACK_COMPONENT, value)).setReason("reaction of user u").build();
    }

    @Test
    void theAppSubscribesToRewardsOnlyNotToRollouts() {
        counters = new GroupingCounters();
        Set<String> sources = new HashSet<>();
        for (TopologyDescription.Subtopology s : topology(GroupingSettings.defaults("test"), RolloutsSource.REWARDS).describe().subtopologies()) {
            for (TopologyDescription.Node n : s.nodes()) {
                if (n instanceof TopologyDescription.Source source) {
                    sources.addAll(source.topicSet());
                }
            }
        }
        assertTrue(sources.contains(CATALOG.name(Topic.REWARDS)), sources.toString());
        assertTrue(sources.stream().noneMatch(t -> t.equals(CATALOG.name(Topic.ROLLOUTS))), sources.toString());
    }

    /**
     * G = 4 from four rewards alone, rewards [1, 0, 0, 0]: mean 0.25, sample std 0.5, so
     * A = [(1 − 0.25)/0.5, (0 − 0.25)/0.5 ×3] = [1.5, −0.5, −0.5, −0.5]. Each sample's position is
     * its rollout's on rl.rollouts, and the batch has its tokens, read back from there.
     */
    @Test
    void aGroupClosesFromItsRewardsAndItsSamplesCarryTheirRolloutsPositions() throws IOException {
        start(GroupingSettings.defaults("test").withBatchGroups(1));
        write(ok("other", 0, 1)); // offset 0: another group's rollout, so that positions start at 1
        group("g1", 1, 0, 0, 0);
        TrainingBatchGroup b = batches.readValue();
        assertEquals("g1", b.getGroupId());
        assertArrayEquals(new float[] {1.5f, -0.5f, -0.5f, -0.5f}, advantages(b), TOL);
        for (int i = 0; i < 4; i++) {
            ScoredSample s = b.getSamples().get(i);
            assertEquals("g1/" + i, s.getRolloutId());
            assertEquals(new RolloutPosition(0, (long) i + 1), s.getSource());
            // GroupingTopologyTest.rollout: response tokens [10 + i, 3], logprobs [-0.5, -0.25]
            assertArrayEquals(new int[] {10 + i, 3}, Tokens.responseIds(s));
            assertArrayEquals(new float[] {-0.5f, -0.25f}, Tokens.logprobs(s));
        }
        assertTrue(deadLetters.isEmpty());
    }

    /** A redelivered reward, and another rollout_id for a filled sample index, are duplicates; the group closes once. */
    @Test
    void duplicatesAreDroppedAsWhenRolloutsCameFromTheirTopic() throws IOException {
        start(GroupingSettings.defaults("test").withBatchGroups(1));
        Reward first = withSummary(reward("g", 0, 1, SampleStatus.OK), ok("g", 0, 2));
        rewards.pipeInput("g", first);
        rewards.pipeInput("g", first);
        Reward sameIndex = withSummary(Reward.newBuilder(reward("g", 0, 0, SampleStatus.OK)).setRolloutId("g/0-retry")
                .build(), Rollout.newBuilder(ok("g", 0, 2)).setRolloutId("g/0-retry").build());
        rewards.pipeInput("g", sameIndex);
        assertEquals(2, counters.get(GroupingCounters.DUPLICATES));
        rewards.pipeInput("g", withSummary(reward("g", 1, 0, SampleStatus.OK), ok("g", 1, 2)));
        List<TrainingBatchGroup> out = batches.readValuesToList();
        assertEquals(1, out.size());
        // rewards [1, 0]: mean 0.5, sample std 0.70711, A = [+0.70711, -0.70711]
        assertEquals(List.of("g/0", "g/1"), out.get(0).getSamples().stream().map(ScoredSample::getRolloutId).toList());
        assertArrayEquals(new float[] {0.7071068f, -0.7071068f}, advantages(out.get(0)), TOL);
        rewards.pipeInput("g", first);
        assertEquals(1, counters.get(GroupingCounters.LATE_RECORDS), "a closed group's record is late");
    }

    /** A verifier's reward from a reward service before the summaries: a dead letter that says how to fix it. */
    @Test
    void aVerifierRewardWithoutASummaryIsADeadLetterThatSaysHowToFixIt() throws IOException {
        start(GroupingSettings.defaults("test").withBatchGroups(1));
        rewards.pipeInput("g", reward("g", 0, 1, SampleStatus.OK));
        DeadLetter dead = deadLetters.readValue();
        assertEquals(CATALOG.name(Topic.REWARDS), dead.getSourceTopic());
        assertTrue(dead.getError().contains("reward of rollout g/0 by verifier 'test' has no rollout summary"), dead.getError());
        assertTrue(dead.getError().contains("upgrade the reward service"), dead.getError());
        assertTrue(dead.getError().contains("grouping.rollouts.source = rollouts-topic"), dead.getError());
        assertEquals(1, counters.get(GroupingCounters.DEAD_LETTERS));
        // nothing of it was kept: the group, completed by two rewards with summaries, has two samples
        group("g", 1, 0);
        assertEquals(2, batches.readValue().getSamples().size());
    }

    /**
     * A rollout the reward service found unusable (one logprob for two tokens) comes as a FAILED
     * summary with a FAILED reward: out of the group and its baseline, counted as failed. G = 3,
     * usable rewards [1, 0]: A = [+0.70711, −0.70711].
     */
    @Test
    void anUnusableRolloutsSampleIsFailedNotAZero() throws IOException {
        start(GroupingSettings.defaults("test").withBatchGroups(1));
        rewards.pipeInput("g", withSummary(reward("g", 0, 1, SampleStatus.OK), ok("g", 0, 3)));
        Rollout bad = Rollout.newBuilder(ok("g", 1, 3)).setBehaviourLogprobs(List.of(-0.5f)).build();
        String why = RolloutCheck.unusable(bad);
        rewards.pipeInput("g", withSummary(Reward.newBuilder(reward("g", 1, 0, SampleStatus.FAILED)).setReason(why).build(),
                bad));
        rewards.pipeInput("g", withSummary(reward("g", 2, 0, SampleStatus.OK), ok("g", 2, 3)));
        TrainingBatchGroup b = batches.readValue();
        assertEquals(List.of("g/0", "g/2"), b.getSamples().stream().map(ScoredSample::getRolloutId).toList());
        assertArrayEquals(new float[] {0.7071068f, -0.7071068f}, advantages(b), TOL);
        assertEquals(1L, b.getFilterStats().get(FilterStats.SAMPLES_FAILED));
    }

    /** A summary whose group_size differs from the group's: a dead letter, the reward is not kept either. */
    @Test
    void aSummaryWithAnotherGroupSizeIsADeadLetter() throws IOException {
        start(GroupingSettings.defaults("test").withBatchGroups(1));
        rewards.pipeInput("g", withSummary(reward("g", 0, 1, SampleStatus.OK), ok("g", 0, 2)));
        rewards.pipeInput("g", withSummary(reward("g", 1, 0, SampleStatus.OK), ok("g", 1, 3)));
        assertEquals("rollout g/1 says group_size 3 but earlier rollouts of group g say 2", deadLetters.readValue().getError());
        rewards.pipeInput("g", withSummary(reward("g", 1, 0, SampleStatus.OK), ok("g", 1, 2)));
        assertEquals(2, batches.readValue().getSamples().size());
        // and an index out of its group is a dead letter before it reaches the group
        rewards.pipeInput("h", withSummary(reward("h", 5, 0, SampleStatus.OK), ok("h", 5, 2)));
        assertEquals("rollout h/5 has sample_index 5; expected 0..1 for group_size 2", deadLetters.readValue().getError());
        // and a reward that carries another rollout's summary
        rewards.pipeInput("h", withSummary(reward("h", 0, 0, SampleStatus.OK), ok("h", 1, 2)));
        assertEquals("reward of rollout h/0 carries the summary of rollout h/1", deadLetters.readValue().getError());
        assertEquals(3, counters.get(GroupingCounters.DEAD_LETTERS));
    }

    /**
     * User feedback (no summary) merges with the verifier's reward (with one), whichever comes
     * first. add, weight 1, both correct [1, 1], thumbs-down −1 on sample 1 before its verifier
     * reward: rewards [1, 0], A = [+0.70711, −0.70711].
     */
    @Test
    void userFeedbackWithoutASummaryStillMergesWithTheVerifiersReward() throws IOException {
        start(GroupingSettings.defaults("test").withBatchGroups(1).withFilter(new NonEmpty())
                .withFeedback(new FeedbackMerge(FeedbackMerge.Mode.ADD, 1.0, 60_000)));
        rewards.pipeInput("g", feedback("g", 1, -1));
        group("g", 1, 1);
        assertTrue(batches.isEmpty(), "a scored group waits for feedback");
        driver.advanceWallClockTime(Duration.ofMillis(61_000));
        TrainingBatchGroup b = batches.readValue();
        assertEquals(List.of(1.0, 0.0), b.getSamples().stream().map(ScoredSample::getReward).toList());
        assertArrayEquals(new float[] {0.7071068f, -0.7071068f}, advantages(b), TOL);
        assertEquals(1, counters.get(GroupingCounters.FEEDBACK_MERGED));
        assertEquals(0, counters.get(GroupingCounters.DUPLICATES));
        assertTrue(deadLetters.isEmpty());
    }

    /** A failed generation's reward closes its sample at once (FAILED rollout), as its rollout did. */
    @Test
    void aFailedGenerationsRewardResolvesItsSample() throws IOException {
        start(GroupingSettings.defaults("test").withBatchGroups(1));
        rewards.pipeInput("g", withSummary(reward("g", 0, 1, SampleStatus.OK), ok("g", 0, 3)));
        rewards.pipeInput("g", withSummary(reward("g", 1, 0, SampleStatus.FAILED),
                rollout("g", 1, 3, 0, SampleStatus.FAILED, FinishReason.ERROR)));
        rewards.pipeInput("g", withSummary(reward("g", 2, 0, SampleStatus.OK), ok("g", 2, 3)));
        TrainingBatchGroup b = batches.readValue();
        assertEquals(2, b.getSamples().size());
        assertEquals(1L, b.getFilterStats().get(FilterStats.SAMPLES_FAILED));
    }

    /**
     * rollouts-topic, as before the summaries: the rollout comes from rl.rollouts, and a summary in
     * its reward is not used: no second rollout, no duplicate, the position is the topic's (0, 1),
     * not the summary's (99, 100).
     */
    @Test
    void inRolloutsTopicModeASummaryInTheRewardIsNotUsed() throws IOException {
        start(GroupingSettings.defaults("test").withBatchGroups(1), RolloutsSource.ROLLOUTS_TOPIC);
        TestInputTopic<String, byte[]> rolloutTopic = driver.createInputTopic(CATALOG.name(Topic.ROLLOUTS),
                Serdes.String().serializer(), Serdes.ByteArray().serializer());
        for (int i = 0; i < 2; i++) {
            Rollout r = ok("g", i, 2);
            write(r);
            rolloutTopic.pipeInput("g", rolloutLog.get(i));
            rewards.pipeInput("g", Reward.newBuilder(reward("g", i, 1 - i, SampleStatus.OK))
                    .setRollout(RolloutSummaries.of(r, 0, 99L + i)).build());
        }
        TrainingBatchGroup b = batches.readValue();
        assertEquals(List.of(new RolloutPosition(0, 0L), new RolloutPosition(0, 1L)),
                b.getSamples().stream().map(ScoredSample::getSource).toList());
        assertEquals(0, counters.get(GroupingCounters.DUPLICATES));
    }
}
