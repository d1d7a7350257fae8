package io.rlstream.processors.grouping;

import io.rlstream.rollouts.RolloutLog;
import io.rlstream.processors.feedback.FeedbackMerge;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.DeadLetter;
import io.rlstream.events.PreferencePair;
import io.rlstream.events.PromptStats;
import io.rlstream.events.FinishReason;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.RolloutPosition;
import io.rlstream.tokens.Tokens;
import java.util.ArrayList;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.schemas.SerdeFactory;
import io.rlstream.processors.config.RolloutsSource;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PlainAvroSerdes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * The grouping topology as a specification: rollouts and rewards in, training batches and dead
 * letters out, advantages worked out by hand in the comments (GRPO, sample std, ε = 1e-6).
 */
class GroupingTopologyTest {

    private static final float TOL = 1e-5f;
    private static final TopicCatalog CATALOG = TopicCatalog.defaults();
    private static final SerdeFactory SERDES = new PlainAvroSerdes();

    // Under target/, not the OS temp folder, which Kafka Streams warns about.
    @TempDir(factory = UnderTarget.class)
    Path stateDir;

    static final class UnderTarget implements TempDirFactory {
        @Override
        public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws IOException {
            Files.createDirectories(Path.of("target"));
            return Files.createTempDirectory(Path.of("target"), "streams-state-");
        }
    }

    private TopologyTestDriver driver;
    private RolloutsTopic rollouts;
    private List<byte[]> rolloutLog;
    private List<PipedRollouts> logs;
    private TestInputTopic<String, Reward> rewards;
    private RolloutsTopic rawRollouts;
    private TestOutputTopic<String, TrainingBatchGroup> batches;
    private TestOutputTopic<String, DeadLetter> deadLetters;
    private GroupingCounters counters;

    private TestInputTopic<String, CheckpointPublished> checkpoints;
    private TestOutputTopic<String, PreferencePair> pairs;
    private TestOutputTopic<String, PromptStats> promptStats;

    private void start(int batchGroups) {
        start(GroupingSettings.defaults("test").withBatchGroups(batchGroups));
    }

    private void start(GroupingSettings settings) {
        counters = new GroupingCounters();
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "grouping-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        rolloutLog = new ArrayList<>();
        logs = new ArrayList<>();
        driver = new TopologyTestDriver(GroupingTopology.build(new StreamsBuilder(), CATALOG, CATALOG, SERDES, settings,
                RolloutsSource.ROLLOUTS_TOPIC, counters, () -> {
                    PipedRollouts log = new PipedRollouts(rolloutLog);
                    logs.add(log);
                    return log;
                }), props);
        rollouts = new RolloutsTopic(driver.createInputTopic(CATALOG.name(Topic.ROLLOUTS), Serdes.String().serializer(),
                Serdes.ByteArray().serializer()), rolloutLog);
        rawRollouts = rollouts;
        rewards = driver.createInputTopic(CATALOG.name(Topic.REWARDS), Serdes.String().serializer(),
                SERDES.serde(Reward.class).serializer());
        batches = driver.createOutputTopic(CATALOG.name(Topic.TRAINING_BATCHES), Serdes.String().deserializer(),
                SERDES.serde(TrainingBatchGroup.class).deserializer());
        deadLetters = driver.createOutputTopic(CATALOG.name(Topic.DEAD_LETTERS), Serdes.String().deserializer(),
                SERDES.serde(DeadLetter.class).deserializer());
        pairs = driver.createOutputTopic(CATALOG.name(Topic.PREFERENCE_PAIRS), Serdes.String().deserializer(),
                SERDES.serde(PreferencePair.class).deserializer());
        promptStats = driver.createOutputTopic(CATALOG.name(Topic.PROMPT_STATS), Serdes.String().deserializer(),
                SERDES.serde(PromptStats.class).deserializer());
        if (settings.staleness().enabled()) {
            checkpoints = driver.createInputTopic(CATALOG.name(Topic.CHECKPOINTS), Serdes.String().serializer(),
                    SERDES.serde(CheckpointPublished.class).serializer());
        }
    }

    /** The standard counters, all zero but the ones given as name, value pairs. */
    private static Map<String, Long> stats(Object... nameValue) {
        Map<String, Long> m = new TreeMap<>(FilterStats.zero());
        for (int i = 0; i < nameValue.length; i += 2) {
            m.put((String) nameValue[i], ((Number) nameValue[i + 1]).longValue());
        }
        return m;
    }

    @AfterEach
    void close() {
        if (driver != null) {
            driver.close();
        }
    }

    /**
     * rl.rollouts of the test driver: every record piped in is also kept by its offset (the
     * driver numbers a topic's records 0, 1, 2, ... on partition 0), so that {@link PipedRollouts}
     * can read them back as the broker would.
     */
    static final class RolloutsTopic {
        private final TestInputTopic<String, byte[]> topic;
        private final List<byte[]> log;

        RolloutsTopic(TestInputTopic<String, byte[]> topic, List<byte[]> log) {
            this.topic = topic;
            this.log = log;
        }

        void pipeInput(String key, Rollout value) {
            pipeInput(key, SERDES.serde(Rollout.class).serializer().serialize(CATALOG.name(Topic.ROLLOUTS), value));
        }

        void pipeInput(String key, byte[] value) {
            log.add(value);
            topic.pipeInput(key, value);
        }
    }

    /** Reads back what {@link RolloutsTopic} piped, by offset; positions past the log are missing. */
    static final class PipedRollouts implements RolloutLog {
        private final List<byte[]> log;
        int reads;

        PipedRollouts(List<byte[]> log) {
            this.log = log;
        }

        @Override
        public Map<Position, Rollout> read(java.util.Collection<Position> positions) {
            reads++;
            Map<Position, Rollout> out = new java.util.HashMap<>();
            for (Position p : positions) {
                assertEquals(0, p.partition(), "the test driver's topics have one partition");
                if (p.offset() < log.size() && log.get((int) p.offset()) != null) {
                    out.put(p, SERDES.serde(Rollout.class).deserializer().deserialize(CATALOG.name(Topic.ROLLOUTS),
                            log.get((int) p.offset())));
                }
            }
            return out;
        }

        @Override
        public void close() {
        }
    }

    // ---- builders -------------------------------------------------------------------------

    static Rollout rollout(String group, int index, int groupSize, long policyVersion, SampleStatus status,
            FinishReason finish) {
        return Rollout.newBuilder()
                .setRolloutId(group + "/" + index)
                .setGroupId(group)
                .setPromptId("prompt-" + group)
                .setSampleIndex(index)
                .setGroupSize(groupSize)
                .setPromptTokenIds(List.of(1, 2))
                .setResponseTokenIds(status == SampleStatus.OK ? List.of(10 + index, 3) : List.of())
                .setBehaviourLogprobs(status == SampleStatus.OK ? List.of(-0.5f, -0.25f) : List.of())
                .setResponseText("answer " + index)
                .setPolicyVersion(policyVersion)
                .setFinishReason(finish)
                .setStatus(status)
                .setError(status == SampleStatus.OK ? null : "generator crashed")
                .setGeneratedAt(Instant.EPOCH)
                .build();
    }

    static Rollout ok(String group, int index, int groupSize) {
        return rollout(group, index, groupSize, 0, SampleStatus.OK, FinishReason.STOP);
    }

    static Reward reward(String group, int index, double score, SampleStatus status) {
        return Reward.newBuilder()
                .setRolloutId(group + "/" + index)
                .setGroupId(group)
                .setPromptId("prompt-" + group)
                .setScore(score)
                .setStatus(status)
                .setReason(status == SampleStatus.OK ? null : "could not parse an answer")
                .setVerifier("test")
                .setScoredAt(Instant.EPOCH)
                .build();
    }

    private void sample(String group, int index, int groupSize, double score) {
        rollouts.pipeInput(group, ok(group, index, groupSize));
        rewards.pipeInput(group, reward(group, index, score, SampleStatus.OK));
    }

    /** A complete group with these rewards, all samples OK. */
    private void group(String group, double... scores) {
        for (int i = 0; i < scores.length; i++) {
            sample(group, i, scores.length, scores[i]);
        }
    }

    private static float[] advantages(TrainingBatchGroup g) {
        float[] a = new float[g.getSamples().size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = g.getSamples().get(i).getAdvantage();
        }
        return a;
    }

    // ---- specifications -------------------------------------------------------------------

    @Test
    void aFullGroupBecomesAScoredBatch() {
        start(1);
        // G = 4, rewards [1, 0, 0, 0]; policy versions 3, 3, 4, 5; sample 2 hit the length limit.
        rollouts.pipeInput("g1", rollout("g1", 0, 4, 3, SampleStatus.OK, FinishReason.STOP));
        rollouts.pipeInput("g1", rollout("g1", 1, 4, 3, SampleStatus.OK, FinishReason.STOP));
        rollouts.pipeInput("g1", rollout("g1", 2, 4, 4, SampleStatus.OK, FinishReason.LENGTH));
        rewards.pipeInput("g1", reward("g1", 0, 1.0, SampleStatus.OK));
        rewards.pipeInput("g1", reward("g1", 1, 0.0, SampleStatus.OK));
        rewards.pipeInput("g1", reward("g1", 2, 0.0, SampleStatus.OK));
        assertTrue(batches.isEmpty(), "no batch before sample 3 is in");
        // the last reward comes before its rollout: the rollout completes the group
        rewards.pipeInput("g1", reward("g1", 3, 0.0, SampleStatus.OK));
        rollouts.pipeInput("g1", rollout("g1", 3, 4, 5, SampleStatus.OK, FinishReason.STOP));

        List<TrainingBatchGroup> out = batches.readValuesToList();
        assertEquals(1, out.size());
        TrainingBatchGroup b = out.get(0);
        // mean 0.25; squared deviations 0.5625 + 3 * 0.0625 = 0.75; sample std sqrt(0.75 / 3) = 0.5
        // A = 0.75 / 0.500001 = 1.5, -0.25 / 0.500001 = -0.5
        assertArrayEquals(new float[] {1.5f, -0.5f, -0.5f, -0.5f}, advantages(b), TOL);
        assertEquals(List.of("g1/0", "g1/1", "g1/2", "g1/3"),
                b.getSamples().stream().map(ScoredSample::getRolloutId).toList());
        assertEquals(List.of(1.0, 0.0, 0.0, 0.0), b.getSamples().stream().map(ScoredSample::getReward).toList());
        assertEquals(List.of(false, false, false, false),
                b.getSamples().stream().map(ScoredSample::getTruncated).toList(), "overlong filtering is off by default");
        // Tokens read back from the rollout (written as Avro arrays by this builder), packed.
        assertArrayEquals(new int[] {12, 3}, Tokens.responseIds(b.getSamples().get(2)));
        assertArrayEquals(new int[] {1, 2}, Tokens.promptIds(b.getSamples().get(2)));
        assertArrayEquals(new float[] {-0.5f, -0.25f}, Tokens.logprobs(b.getSamples().get(2)));
        assertEquals(2, b.getSamples().get(2).getResponseLength());
        assertTrue(b.getSamples().get(2).getResponseTokenIds().isEmpty(), "written packed, not as an array");
        assertEquals(new RolloutPosition(0, 2L), b.getSamples().get(2).getSource(), "the third rollout piped");
        assertEquals("test-0", b.getBatchId());
        assertEquals(0, b.getBatchSequence());
        assertEquals(0, b.getGroupIndex());
        assertEquals(1, b.getBatchGroups());
        assertEquals(4, b.getBatchSamples());
        assertEquals(3, b.getMinPolicyVersion());
        assertEquals(5, b.getMaxPolicyVersion());
        assertEquals("g1", b.getGroupId());
        assertEquals("prompt-g1", b.getPromptId());
        assertEquals("grpo", b.getEstimator());
        assertEquals(stats("groups_completed", 1, "groups_kept", 1), b.getFilterStats());
        assertTrue(deadLetters.isEmpty());
    }

    @Test
    void aDuplicatedRolloutOrRewardCountsOnce() {
        start(1);
        // G = 3. Rollout 0 and its reward arrive twice; a retried sample 1 comes under another rollout_id.
        rollouts.pipeInput("g", ok("g", 0, 3));
        rollouts.pipeInput("g", ok("g", 0, 3));
        rewards.pipeInput("g", reward("g", 0, 1.0, SampleStatus.OK));
        rewards.pipeInput("g", reward("g", 0, 1.0, SampleStatus.OK));
        sample("g", 1, 3, 0.0);
        rollouts.pipeInput("g", Rollout.newBuilder(ok("g", 1, 3)).setRolloutId("g/1-retry").build());
        assertTrue(batches.isEmpty(), "3 copies of 2 samples do not make a group of 3");
        sample("g", 2, 3, 0.0);

        List<TrainingBatchGroup> out = batches.readValuesToList();
        assertEquals(1, out.size());
        // rewards [1, 0, 0]: mean 1/3; squared deviations 4/9 + 1/9 + 1/9 = 2/3; sample std sqrt((2/3) / 2) = 0.57735
        // A = (2/3) / 0.57735 = 1.154700, -(1/3) / 0.57735 = -0.577350
        assertArrayEquals(new float[] {1.1547005f, -0.5773503f, -0.5773503f}, advantages(out.get(0)), TOL);
        assertEquals(3, counters.get(GroupingCounters.DUPLICATES));

        // a copy that arrives after the group completed is recognised and ignored
        rollouts.pipeInput("g", ok("g", 0, 3));
        rewards.pipeInput("g", reward("g", 0, 1.0, SampleStatus.OK));
        assertTrue(batches.isEmpty());
        assertEquals(2, counters.get(GroupingCounters.LATE_RECORDS));
    }

    @Test
    void failedSamplesAreLeftOutOfTheBaseline() {
        start(1);
        // G = 4: sample 0 scores 1, sample 1 scores 0, sample 2's generation failed (no reward ever),
        // sample 3 was generated but its verification failed (score 0 with status FAILED, meaningless).
        sample("g", 0, 4, 1.0);
        sample("g", 1, 4, 0.0);
        rollouts.pipeInput("g", rollout("g", 2, 4, 0, SampleStatus.FAILED, FinishReason.ERROR));
        rollouts.pipeInput("g", ok("g", 3, 4));
        rewards.pipeInput("g", reward("g", 3, 0.0, SampleStatus.FAILED));

        List<TrainingBatchGroup> out = batches.readValuesToList();
        assertEquals(1, out.size());
        TrainingBatchGroup b = out.get(0);
        // usable rewards [1, 0]: mean 0.5; squared deviations 0.25 + 0.25 = 0.5; sample std sqrt(0.5 / 1) = 0.70711
        // A = ±0.5 / 0.70711 = ±0.70711. (Counting the failures as zeros would give [1.5, -0.5, ...] instead.)
        assertArrayEquals(new float[] {0.70711f, -0.70711f}, advantages(b), TOL);
        assertEquals(List.of("g/0", "g/1"), b.getSamples().stream().map(ScoredSample::getRolloutId).toList());
        assertEquals(2, b.getBatchSamples());
        assertEquals(2L, b.getFilterStats().get(FilterStats.SAMPLES_FAILED));
    }

    @Test
    void uninformativeGroupsAreDroppedAndCounted() {
        start(1);
        group("all-right", 1, 1, 1);                       // equal rewards -> dropped
        sample("lone", 0, 2, 1.0);                           // one usable sample of two -> too few
        rollouts.pipeInput("lone", rollout("lone", 1, 2, 0, SampleStatus.FAILED, FinishReason.ERROR));
        assertTrue(batches.isEmpty(), "dropped groups make no batch");

        group("useful", 0, 1);
        List<TrainingBatchGroup> out = batches.readValuesToList();
        assertEquals(1, out.size());
        assertEquals("useful", out.get(0).getGroupId());
        assertEquals(stats("groups_completed", 3, "groups_kept", 1, "groups_dropped_equal_rewards", 1,
                "groups_dropped_too_few_samples", 1, "samples_failed", 1), out.get(0).getFilterStats());
        assertEquals(3, counters.get(GroupingCounters.GROUPS_COMPLETED));
        assertEquals(1, counters.get(FilterStats.GROUPS_DROPPED_EQUAL_REWARDS));
        assertEquals(1, counters.get(FilterStats.GROUPS_DROPPED_TOO_FEW_SAMPLES));
        assertEquals(1.0 / 3, counters.effectiveRatio(), 1e-12);
    }

    @Test
    void bKeptGroupsMakeExactlyOneBatch() {
        start(3);
        group("a", 1, 0);
        group("b", 0, 1);
        assertTrue(batches.isEmpty(), "2 of 3 groups: no batch yet");
        group("c", 1, 0, 0);
        List<TestRecord<String, TrainingBatchGroup>> first = batches.readRecordsToList();
        assertEquals(3, first.size());
        for (int i = 0; i < 3; i++) {
            TrainingBatchGroup g = first.get(i).value();
            assertEquals("test-0", first.get(i).key(), "records are keyed by batch id");
            assertEquals("test-0", g.getBatchId());
            assertEquals(0, g.getBatchSequence());
            assertEquals(i, g.getGroupIndex());
            assertEquals(3, g.getBatchGroups());
            assertEquals(2 + 2 + 3, g.getBatchSamples());
            assertEquals(3L, g.getFilterStats().get(FilterStats.GROUPS_KEPT));
        }
        assertEquals(List.of("a", "b", "c"), first.stream().map(r -> r.value().getGroupId()).toList());

        group("d", 1, 0);
        group("e", 1, 1);  // dropped, counted in the next batch
        group("f", 0, 1);
        assertTrue(batches.isEmpty());
        group("g", 0, 1);
        List<TrainingBatchGroup> second = batches.readValuesToList();
        assertEquals(3, second.size());
        assertEquals(List.of("test-1", "test-1", "test-1"), second.stream().map(TrainingBatchGroup::getBatchId).toList());
        assertEquals(List.of(0, 1, 2), second.stream().map(TrainingBatchGroup::getGroupIndex).toList());
        assertEquals(1, second.get(0).getBatchSequence());
        assertEquals(4L, second.get(0).getFilterStats().get(FilterStats.GROUPS_COMPLETED));
        assertEquals(1L, second.get(0).getFilterStats().get(FilterStats.GROUPS_DROPPED_EQUAL_REWARDS));
        assertEquals(2, counters.get(GroupingCounters.BATCHES));
    }

    @Test
    void packedRolloutsReachTheBatchWithTheirOwnBytesAndNothingIsReadBackBeforeTheBatch() {
        start(2);
        // Rollouts written packed (as workers write them since issue 18) with distinct tokens per sample.
        for (int i = 0; i < 2; i++) {
            rollouts.pipeInput("p", Tokens.pack(Rollout.newBuilder(ok("p", i, 2)), new int[] {7, 8, 9},
                    new int[] {100 + i, 200 + i, 300 + i}, new float[] {-1f, -2f, -0.5f * i}).build());
            rewards.pipeInput("p", reward("p", i, i, SampleStatus.OK));
        }
        assertTrue(batches.isEmpty(), "B = 2: one group buffered");
        assertEquals(0, logs.stream().mapToInt(l -> l.reads).sum(), "buffered groups hold positions, not tokens");
        group("q", 0, 1);
        List<TrainingBatchGroup> out = batches.readValuesToList();
        assertEquals(2, out.size());
        assertEquals(1, logs.stream().mapToInt(l -> l.reads).sum(), "one read for the batch and its pairs");
        assertEquals(2, pairs.readValuesToList().size(), "each group's pair comes with its batch");
        ScoredSample s1 = out.get(0).getSamples().get(1);
        assertArrayEquals(new int[] {7, 8, 9}, Tokens.promptIds(s1));
        assertArrayEquals(new int[] {101, 201, 301}, Tokens.responseIds(s1));
        assertArrayEquals(new float[] {-1f, -2f, -0.5f}, Tokens.logprobs(s1));
        assertEquals(3, s1.getResponseLength());
        assertEquals(new RolloutPosition(0, 1L), s1.getSource());
        // Group q came from the test builder's Avro arrays: read back and packed the same way.
        assertArrayEquals(new int[] {11, 3}, Tokens.responseIds(out.get(1).getSamples().get(1)));
    }

    @Test
    void byReferenceBatchesAndPairsCarryPositionsNotTokensNothingIsReadAndTheResolverGivesTheRolloutsTokens() {
        start(GroupingSettings.defaults("test").withBatchGroups(2)
                .withBatchTokens(io.rlstream.events.BatchTokens.REFERENCE));
        // group p: packed rollouts at offsets 0, 1 with distinct tokens, rewards 0 and 1
        for (int i = 0; i < 2; i++) {
            rollouts.pipeInput("p", Tokens.pack(Rollout.newBuilder(ok("p", i, 2)), new int[] {7, 8, 9},
                    new int[] {100 + i, 200 + i, 300 + i}, new float[] {-1f, -2f, -0.5f * i}).build());
            rewards.pipeInput("p", reward("p", i, i, SampleStatus.OK));
        }
        group("q", 0, 1); // offsets 2, 3: the builder's arrays, responses [10 + index, 3]
        List<TrainingBatchGroup> out = batches.readValuesToList();
        assertEquals(2, out.size());
        assertEquals(0, logs.stream().mapToInt(l -> l.reads).sum(), "by reference nothing is read back");
        long position = 0;
        for (TrainingBatchGroup g : out) {
            assertEquals(io.rlstream.events.BatchTokens.REFERENCE, g.getTokens());
            for (ScoredSample s : g.getSamples()) {
                assertNull(s.getPackedPromptTokenIds());
                assertNull(s.getPackedResponseTokenIds());
                assertNull(s.getPackedBehaviourLogprobs());
                assertTrue(s.getPromptTokenIds().isEmpty() && s.getResponseTokenIds().isEmpty()
                        && s.getBehaviourLogprobs().isEmpty(), "no tokens in the record");
                assertEquals(new RolloutPosition(0, position++), s.getSource(), "in piping order");
            }
        }
        assertEquals(3, out.get(0).getSamples().get(1).getResponseLength());
        assertEquals(2, out.get(1).getSamples().get(1).getResponseLength());
        // the reader's resolver gives each sample its rollout's tokens
        try (io.rlstream.rollouts.TokenResolver resolver = new io.rlstream.rollouts.TokenResolver(
                () -> new PipedRollouts(rolloutLog))) {
            io.rlstream.rollouts.TokenResolver.ResolvedBatch resolved = resolver.resolve(out);
            assertTrue(resolved.missing().isEmpty(), resolved.missing().toString());
            ScoredSample s1 = resolved.groups().get(0).getSamples().get(1);
            assertArrayEquals(new int[] {7, 8, 9}, Tokens.promptIds(s1));
            assertArrayEquals(new int[] {101, 201, 301}, Tokens.responseIds(s1));
            assertArrayEquals(new float[] {-1f, -2f, -0.5f}, Tokens.logprobs(s1));
            assertArrayEquals(new int[] {11, 3}, Tokens.responseIds(resolved.groups().get(1).getSamples().get(1)));
            assertEquals(out.get(0).getSamples().get(1).getAdvantage(), s1.getAdvantage(), "the rest as written");

            // pairs: positions of the best (sample 1, reward 1) and the worst (sample 0), no tokens
            List<PreferencePair> ps = pairs.readValuesToList();
            assertEquals(2, ps.size());
            PreferencePair p = ps.get(0);
            assertEquals(io.rlstream.events.BatchTokens.REFERENCE, p.getTokens());
            assertEquals(new RolloutPosition(0, 1L), p.getChosenSource());
            assertEquals(new RolloutPosition(0, 0L), p.getRejectedSource());
            assertNull(p.getPackedChosenTokenIds());
            assertTrue(p.getChosenTokenIds().isEmpty());
            PreferencePair resolvedPair = resolver.resolve(p).pair();
            assertArrayEquals(new int[] {7, 8, 9}, Tokens.promptIds(resolvedPair));
            assertArrayEquals(new int[] {101, 201, 301}, Tokens.chosenIds(resolvedPair));
            assertArrayEquals(new int[] {100, 200, 300}, Tokens.rejectedIds(resolvedPair));
        }
    }

    @Test
    void aSampleWhoseRolloutIsGoneFromTheTopicIsLeftOutOfItsBatchAndCounted() {
        start(1);
        rollouts.pipeInput("g", ok("g", 0, 2));
        rollouts.pipeInput("g", ok("g", 1, 2));
        rolloutLog.set(1, null); // offset 1 deleted by retention before the batch was written
        rewards.pipeInput("g", reward("g", 0, 0.0, SampleStatus.OK));
        rewards.pipeInput("g", reward("g", 1, 1.0, SampleStatus.OK));
        TrainingBatchGroup b = batches.readValue();
        assertEquals(List.of("g/0"), b.getSamples().stream().map(ScoredSample::getRolloutId).toList());
        assertEquals(1, b.getBatchSamples());
        // and from its preference pair, which needed both responses
        assertEquals(2, counters.get(GroupingCounters.ROLLOUTS_MISSING));
        assertTrue(pairs.isEmpty());
        // the advantage was computed with both samples: -0.70711 for reward 0 of (0, 1)
        assertEquals(-0.70711f, b.getSamples().get(0).getAdvantage(), TOL);
    }

    @Test
    void packedTokensThatAreNotWholeNumbersOfFourBytesFailTheSampleWithADeadLetter() {
        start(1);
        Rollout broken = ok("g", 0, 2);
        broken.setPackedResponseTokenIds(java.nio.ByteBuffer.wrap(new byte[] {1, 0, 0, 0, 2, 0}));
        rollouts.pipeInput("g", broken);
        rewards.pipeInput("g", reward("g", 0, 1.0, SampleStatus.OK));
        sample("g", 1, 2, 0.0);
        DeadLetter letter = deadLetters.readValue();
        assertTrue(letter.getError().contains("6 bytes, not a multiple of 4"), letter.getError());
        assertTrue(letter.getError().contains("excluded from its group as failed"), letter.getError());
        // The group closed with one usable sample: too few for a baseline, dropped, never a zero.
        assertTrue(batches.isEmpty());
        assertEquals(1L, counters.get(FilterStats.SAMPLES_FAILED));
    }

    @Test
    void badInputBecomesADeadLetterAndTheStreamGoesOn() {
        start(1);
        byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
        rawRollouts.pipeInput("g", garbage);
        // sample_index outside 0..G-1 cannot be placed in its group
        rollouts.pipeInput("g", Rollout.newBuilder(ok("g", 0, 2)).setSampleIndex(5).build());
        // a NaN score: dead letter, and the sample goes on as FAILED so the group still completes
        group("g", 0, 1);
        sample("h", 0, 3, 1.0);
        sample("h", 1, 3, 0.0);
        rollouts.pipeInput("h", ok("h", 2, 3));
        rewards.pipeInput("h", reward("h", 2, Double.NaN, SampleStatus.OK));

        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertEquals(3, letters.size());
        DeadLetter undecodable = letters.get(0);
        assertEquals("rl.rollouts", undecodable.getSourceTopic());
        assertEquals(0, undecodable.getSourceOffset());
        assertEquals(GroupingTopology.SERVICE, undecodable.getService());
        assertEquals(garbage.length, undecodable.getSize());
        assertEquals("g", StandardCharsets.UTF_8.decode(undecodable.getKey()).toString());
        assertTrue(undecodable.getError().contains("cannot decode"), undecodable.getError());
        assertTrue(letters.get(1).getError().contains("sample_index 5"), letters.get(1).getError());
        assertEquals("rl.rewards", letters.get(2).getSourceTopic());
        assertTrue(letters.get(2).getError().contains("NaN"), letters.get(2).getError());

        List<TrainingBatchGroup> out = batches.readValuesToList();
        assertEquals(List.of("g", "h"), out.stream().map(TrainingBatchGroup::getGroupId).toList());
        // group h: the NaN sample is excluded, usable [1, 0] -> A = ±0.70711 (as in the failed-sample case)
        assertArrayEquals(new float[] {0.70711f, -0.70711f}, advantages(out.get(1)), TOL);
        assertEquals(1L, out.get(1).getFilterStats().get(FilterStats.SAMPLES_FAILED));
        assertEquals(3, counters.get(GroupingCounters.DEAD_LETTERS));
    }

    @Test
    void aRolloutThatContradictsItsGroupSizeIsADeadLetter() {
        start(1);
        rollouts.pipeInput("g", ok("g", 0, 2));
        rollouts.pipeInput("g", ok("g", 1, 3));
        List<DeadLetter> letters = deadLetters.readValuesToList();
        assertEquals(1, letters.size());
        assertTrue(letters.get(0).getError().contains("group_size 3"), letters.get(0).getError());
        assertNotNull(letters.get(0).getValue(), "the rollout's bytes are kept");
        // the group still completes with the rollouts that fit
        rewards.pipeInput("g", reward("g", 0, 1.0, SampleStatus.OK));
        sample("g", 1, 2, 0.0);
        assertEquals(1, batches.readValuesToList().size());
    }

    // ---- closing groups: timeout, late records, retention --------------------------------

    @Test
    void aGroupMissingASampleClosesAtTheTimeoutWithTheSamplesItHas() {
        start(GroupingSettings.defaults("test").withBatchGroups(1).withTimeout(60_000, 2, 3_600_000));
        // G = 4, sample 3 never comes (its generation was lost)
        sample("g", 0, 4, 1.0);
        sample("g", 1, 4, 0.0);
        sample("g", 2, 4, 1.0);
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(59));
        assertTrue(batches.isEmpty(), "still open before the timeout");
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(2));

        List<TrainingBatchGroup> out = batches.readValuesToList();
        assertEquals(1, out.size());
        // usable rewards [1, 0, 1]: mean 2/3; squared deviations 1/9 + 4/9 + 1/9 = 2/3; sample std sqrt(1/3) = 0.57735
        // A = (1/3) / 0.57735 = 0.57735, -(2/3) / 0.57735 = -1.15470
        assertArrayEquals(new float[] {0.57735f, -1.1547005f, 0.57735f}, advantages(out.get(0)), TOL);
        assertEquals(stats("groups_completed", 1, "groups_kept", 1, "groups_timed_out", 1, "samples_failed", 1),
                out.get(0).getFilterStats());

        // the lost sample turns up after all: late, counted, dropped
        sample("g", 3, 4, 0.0);
        assertTrue(batches.isEmpty());
        assertEquals(2, counters.get(GroupingCounters.LATE_RECORDS));
    }

    @Test
    void aTimedOutGroupWithTooFewUsableSamplesIsDroppedWithItsReason() {
        start(GroupingSettings.defaults("test").withBatchGroups(1).withTimeout(60_000, 2, 3_600_000));
        sample("sparse", 0, 4, 1.0);
        // a reward whose rollouts never come also opens a group, which the timeout closes
        rewards.pipeInput("orphan", reward("orphan", 0, 1.0, SampleStatus.OK));
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(61));
        assertTrue(batches.isEmpty());
        assertEquals(2, counters.get(FilterStats.GROUPS_DROPPED_TIMED_OUT));
        // both still count as resolved groups for their prompts (the dispatcher's in-flight count)
        List<PromptStats> stats = promptStats.readValuesToList();
        assertEquals(List.of("prompt-sparse", "prompt-orphan"),
                stats.stream().map(PromptStats::getPromptId).sorted(java.util.Comparator.reverseOrder()).toList());

        group("next", 1, 0);
        TrainingBatchGroup b = batches.readValuesToList().get(0);
        // sparse: 3 of 4 never came; orphan: G unknown, its one rollout never came
        assertEquals(stats("groups_completed", 3, "groups_kept", 1, "groups_dropped_timed_out", 2,
                "groups_timed_out", 2, "samples_failed", 4), b.getFilterStats());
    }

    @Test
    void closedGroupsAreForgottenAfterTheRetention() {
        start(GroupingSettings.defaults("test").withBatchGroups(1).withTimeout(60_000, 2, 600_000));
        group("g", 1, 0);
        var progress = driver.<String, GroupProgress>getKeyValueStore(GroupingTopology.PROGRESS_STORE);
        var closed = driver.<String, Long>getKeyValueStore(GroupingTopology.CLOSED_STORE);
        assertEquals(null, progress.get("g"), "the progress store holds open groups only");
        assertEquals(2, count(closed), "a closed group leaves a marker, by id and by time");
        rollouts.pipeInput("g", ok("g", 0, 2));
        assertEquals(1, counters.get(GroupingCounters.LATE_RECORDS), "a record of a closed group is late");
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(300));
        group("h", 1, 0); // closed 300 s after g
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(301));
        assertEquals(2, count(closed), "g's marker is gone after the retention, h's is not");
        rollouts.pipeInput("h", ok("h", 0, 2));
        assertEquals(2, counters.get(GroupingCounters.LATE_RECORDS));
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(300));
        assertEquals(0, count(closed), "the store does not grow");
    }

    @Test
    void doneMarkersLeftInTheProgressStoreByAnOlderVersionStillCountAsClosedAndExpire() {
        start(GroupingSettings.defaults("test").withBatchGroups(1).withTimeout(60_000, 2, 600_000));
        var progress = driver.<String, GroupProgress>getKeyValueStore(GroupingTopology.PROGRESS_STORE);
        progress.put("old", GroupProgress.finished(2, 0L)); // as a version before issue 18 left it, at t = 0
        rollouts.pipeInput("old", ok("old", 0, 2));
        assertEquals(1, counters.get(GroupingCounters.LATE_RECORDS));
        driver.advanceWallClockTime(java.time.Duration.ofSeconds(601));
        assertEquals(null, progress.get("old"));
    }

    private static int count(org.apache.kafka.streams.state.KeyValueStore<String, Long> store) {
        int n = 0;
        try (var it = store.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }

    // ---- which samples count: staleness, overlong ----------------------------------------

    @Test
    void samplesOlderThanTheStalenessBoundAreDroppedAndCounted() {
        start(GroupingSettings.defaults("test").withBatchGroups(1).withStaleness(1));
        // a record on rl.checkpoints that is not an announcement is skipped, not fatal
        driver.createInputTopic(CATALOG.name(Topic.CHECKPOINTS), Serdes.String().serializer(),
                Serdes.ByteArray().serializer()).pipeInput("policy", "garbage".getBytes(StandardCharsets.UTF_8));
        checkpoints.pipeInput("policy", CheckpointPublished.newBuilder().setPolicyName("policy").setVersion(5)
                .setUri("file:/tmp/v5").setStep(5).setCreatedAt(Instant.EPOCH).build());
        // current version 5, eta 1: versions >= 4 are usable, 3 is stale
        rollouts.pipeInput("g", rollout("g", 0, 3, 3, SampleStatus.OK, FinishReason.STOP));
        rollouts.pipeInput("g", rollout("g", 1, 3, 4, SampleStatus.OK, FinishReason.STOP));
        rollouts.pipeInput("g", rollout("g", 2, 3, 5, SampleStatus.OK, FinishReason.STOP));
        rewards.pipeInput("g", reward("g", 0, 1.0, SampleStatus.OK));
        rewards.pipeInput("g", reward("g", 1, 1.0, SampleStatus.OK));
        rewards.pipeInput("g", reward("g", 2, 0.0, SampleStatus.OK));

        TrainingBatchGroup b = batches.readValuesToList().get(0);
        // usable rewards [1, 0] at versions 4, 5: A = ±0.70711 (sample std of [1, 0] is 0.70711)
        assertEquals(List.of("g/1", "g/2"), b.getSamples().stream().map(ScoredSample::getRolloutId).toList());
        assertArrayEquals(new float[] {0.70711f, -0.70711f}, advantages(b), TOL);
        assertEquals(1L, b.getFilterStats().get(FilterStats.SAMPLES_STALE));
        assertEquals(4, b.getMinPolicyVersion());
    }

    @Test
    void overlongFilteringMarksTruncatedResponsesForTheTrainer() {
        start(GroupingSettings.defaults("test").withBatchGroups(1).withMarkTruncated(true));
        rollouts.pipeInput("g", rollout("g", 0, 2, 0, SampleStatus.OK, FinishReason.LENGTH));
        rollouts.pipeInput("g", rollout("g", 1, 2, 0, SampleStatus.OK, FinishReason.STOP));
        rewards.pipeInput("g", reward("g", 0, 0.0, SampleStatus.OK));
        rewards.pipeInput("g", reward("g", 1, 1.0, SampleStatus.OK));
        TrainingBatchGroup b = batches.readValuesToList().get(0);
        assertEquals(List.of(true, false), b.getSamples().stream().map(ScoredSample::getTruncated).toList());
        // the truncated sample still counts in the baseline: A = ±0.70711
        assertArrayEquals(new float[] {-0.70711f, 0.70711f}, advantages(b), TOL);
        assertEquals(1L, b.getFilterStats().get(FilterStats.SAMPLES_TRUNCATED));
    }

    // ---- preference pairs ------------------------------------------------------------------

    @Test
    void eachGroupWithAContrastGivesItsBestAndWorstAsAPreferencePair() {
        start(1);
        group("g", 0.0, 1.0, 0.5, 0.0);
        group("tie", 1.0, 1.0);
        List<TestRecord<String, PreferencePair>> out = pairs.readRecordsToList();
        assertEquals(1, out.size(), "ties are skipped");
        PreferencePair p = out.get(0).value();
        assertEquals("prompt-g", out.get(0).key(), "pairs are keyed by prompt");
        assertEquals("g", p.getGroupId());
        // best is sample 1 (reward 1), worst the first of the zeros, sample 0; response tokens are [10 + index, 3]
        assertArrayEquals(new int[] {11, 3}, Tokens.chosenIds(p));
        assertArrayEquals(new int[] {10, 3}, Tokens.rejectedIds(p));
        assertTrue(p.getChosenTokenIds().isEmpty(), "written packed");
        assertEquals(1.0, p.getChosenReward());
        assertEquals(0.0, p.getRejectedReward());
        assertArrayEquals(new int[] {1, 2}, Tokens.promptIds(p));
        assertEquals(1, counters.get(GroupingCounters.PREFERENCE_PAIRS));
    }

    // ---- PF-PPO and batch-level estimators --------------------------------------------------

    @Test
    void pfPpoBestOfNTrainsOnlyTheBestSampleWithTheWholeGroupsAdvantage() {
        start(GroupingSettings.defaults("test").withBatchGroups(1).withPfPpo("best-of-n", "none", 7));
        group("g", 0, 1, 0, 1);
        TrainingBatchGroup b = batches.readValuesToList().get(0);
        // advantages over all four: mean 0.5, sample std sqrt(1/3) = 0.57735, A(best) = 0.5 / 0.57735 = 0.86603;
        // best-of-n keeps the first best, sample 1
        assertEquals(List.of("g/1"), b.getSamples().stream().map(ScoredSample::getRolloutId).toList());
        assertArrayEquals(new float[] {0.8660254f}, advantages(b), TOL);
        assertEquals(1, b.getBatchSamples());
        assertEquals(3L, b.getFilterStats().get(FilterStats.SAMPLES_FILTERED));
    }

    @Test
    void reinforcePlusPlusWhitensAdvantagesOverTheBatch() {
        start(GroupingSettings.defaults("test").withBatchGroups(2).withEstimator("reinforce-pp-baseline"));
        group("a", 1, 0);
        group("b", 1, 0, 0, 0);
        List<TrainingBatchGroup> out = batches.readValuesToList();
        assertEquals(2, out.size());
        // group stage r - mean: a [0.5, -0.5], b [0.75, -0.25, -0.25, -0.25]; every response has 2 tokens,
        // so token whitening weighs samples equally: mean 0, population variance
        // (0.25 + 0.25 + 0.5625 + 3 * 0.0625) / 6 = 0.208333, std 0.456435
        // -> a [1.095445, -1.095445], b [1.643168, -0.547723, -0.547723, -0.547723]
        assertArrayEquals(new float[] {1.095445f, -1.095445f}, advantages(out.get(0)), TOL);
        assertArrayEquals(new float[] {1.643168f, -0.547723f, -0.547723f, -0.547723f}, advantages(out.get(1)), TOL);
        assertEquals("reinforce-pp-baseline", out.get(0).getEstimator());
    }

    @Test
    void pfPpoMaxMinReweightingResamplesOnlyTheBatchsBestAndWorst() {
        start(GroupingSettings.defaults("test").withBatchGroups(1).withPfPpo("none", "max_min", 3));
        group("g", 1.0, 0.5, 0.0, 0.5);
        TrainingBatchGroup b = batches.readValuesToList().get(0);
        // weights: 1 for the max (sample 0) and the min (sample 2), 1e-8 for the others: 4 draws with replacement
        assertEquals(4, b.getBatchSamples());
        assertEquals(4, b.getSamples().size());
        for (ScoredSample x : b.getSamples()) {
            assertTrue(List.of("g/0", "g/2").contains(x.getRolloutId()), x.getRolloutId());
        }
    }

    // ---- issue 15, fix 1: PF-PPO with a batch-stage estimator -----------------------------------
    // Groups a [1, 0, 0, 0] and b [1, 1, 0, 0], best-of-n keeps a/0 and b/0. The batch stage must
    // see every sample of the batch, as PF-PPO and verl filter after the advantages are computed
    // (verl compute_advantage: advantages first, then compute_pf_ppo_reweight_data).

    /**
     * grpo-batch-std: group stage r − mean_g = a [0.75, −0.25, −0.25, −0.25], b [0.5, 0.5, −0.5, −0.5];
     * std_batch of all 8 rewards: mean 3/8, Σ(r − mean)² = 3·0.625² + 5·0.375² = 1.875, sample std
     * √(1.875/7) = 0.5175492; A(a/0) = 0.75/(0.5175492 + 1e-6) = 1.449135, A(b/0) = 0.966090. On the
     * kept samples only, both rewards are 1, std 0, and both advantages were 0.
     */
    @Test
    void pfPpoWithGrpoBatchStdNormalisesOverTheWholeGroupsNotTheKeptSamples() {
        start(GroupingSettings.defaults("test").withBatchGroups(2).withEstimator("grpo-batch-std")
                .withPfPpo("best-of-n", "none", 7));
        group("a", 1, 0, 0, 0);
        group("b", 1, 1, 0, 0);
        List<TrainingBatchGroup> out = batches.readValuesToList();
        assertEquals(List.of("a/0"), out.get(0).getSamples().stream().map(ScoredSample::getRolloutId).toList());
        assertEquals(List.of("b/0"), out.get(1).getSamples().stream().map(ScoredSample::getRolloutId).toList());
        assertArrayEquals(new float[] {1.449135f}, advantages(out.get(0)), TOL);
        assertArrayEquals(new float[] {0.966090f}, advantages(out.get(1)), TOL);
        assertEquals(2, out.get(0).getBatchSamples());
        assertEquals(6L, out.get(0).getFilterStats().get(FilterStats.SAMPLES_FILTERED));
    }

    /**
     * reinforce-pp-baseline: whitening over all 8 samples (2 tokens each): mean 0, population
     * variance (0.5625 + 3·0.0625 + 4·0.25)/8 = 0.21875, std 0.4677072; A(a/0) = 0.75/0.4677072 =
     * 1.603567, A(b/0) = 1.069045. On the kept [0.75, 0.5] only: mean 0.625, std 0.125, so b/0, a
     * correct answer, got −1.
     */
    @Test
    void pfPpoWithReinforcePlusPlusWhitensOverTheWholeGroupsNotTheKeptSamples() {
        start(GroupingSettings.defaults("test").withBatchGroups(2).withEstimator("reinforce-pp-baseline")
                .withPfPpo("best-of-n", "none", 7));
        group("a", 1, 0, 0, 0);
        group("b", 1, 1, 0, 0);
        List<TrainingBatchGroup> out = batches.readValuesToList();
        assertArrayEquals(new float[] {1.603567f}, advantages(out.get(0)), TOL);
        assertArrayEquals(new float[] {1.069045f}, advantages(out.get(1)), TOL);
    }

    // ---- issue 15, fix 2: user feedback reaches training -------------------------------------

    private static Reward feedback(String group, int index, double value) {
        return Reward.newBuilder(reward(group, index, value, SampleStatus.OK)).setVerifier("user-feedback")
                .setComponents(Map.of("feedback", value)).setReason("reaction 'thumbs_down' of user u").build();
    }

    /**
     * Both answers correct (verifier rewards [1, 1]) and a thumbs-down (−1) on the second within the
     * feedback wait. add, weight 1: rewards [1, 1 − 1 = 0], GRPO (sample std √0.5 = 0.70711):
     * A = [+0.70711, −0.70711]. Without the merge the feedback was a duplicate, the rewards stayed
     * [1, 1] and dynamic sampling... here filter none keeps the group with advantages [0, 0].
     */
    @Test
    void userFeedbackWithinTheWaitIsAddedToTheVerifiersReward() {
        start(GroupingSettings.defaults("test").withBatchGroups(1).withFilter(new io.rlstream.processors.filter.NonEmpty())
                .withFeedback(new FeedbackMerge(FeedbackMerge.Mode.ADD, 1.0, 60_000)));
        group("g", 1, 1);
        assertTrue(batches.isEmpty(), "a scored group waits for feedback");
        rewards.pipeInput("g", feedback("g", 1, -1));
        driver.advanceWallClockTime(java.time.Duration.ofMillis(61_000));
        TrainingBatchGroup b = batches.readValue();
        assertEquals(List.of(1.0, 0.0), b.getSamples().stream().map(ScoredSample::getReward).toList());
        assertArrayEquals(new float[] {0.7071068f, -0.7071068f}, advantages(b), TOL);
        assertEquals(0, counters.get(GroupingCounters.DUPLICATES));
        assertEquals(1, counters.get(GroupingCounters.FEEDBACK_MERGED));
    }

    /** replace: the reaction is the reward. Feedback first, verifier second merges the same way. */
    @Test
    void userFeedbackReplacesTheVerifiersRewardInReplaceModeWhicheverComesFirst() {
        start(GroupingSettings.defaults("test").withBatchGroups(1).withFilter(new io.rlstream.processors.filter.NonEmpty())
                .withFeedback(new FeedbackMerge(FeedbackMerge.Mode.REPLACE, 1.0, 60_000)));
        rollouts.pipeInput("g", ok("g", 0, 2));
        rollouts.pipeInput("g", ok("g", 1, 2));
        rewards.pipeInput("g", feedback("g", 0, -1));
        rewards.pipeInput("g", reward("g", 0, 1, SampleStatus.OK));
        rewards.pipeInput("g", reward("g", 1, 0, SampleStatus.OK));
        driver.advanceWallClockTime(java.time.Duration.ofMillis(61_000));
        TrainingBatchGroup b = batches.readValue();
        // rewards [−1 (replaced), 0]: mean −0.5, sample std 0.70711 -> A = [−0.70711, +0.70711]
        assertEquals(List.of(-1.0, 0.0), b.getSamples().stream().map(ScoredSample::getReward).toList());
        assertArrayEquals(new float[] {-0.7071068f, 0.7071068f}, advantages(b), TOL);
    }

    /** A second reaction on the same rollout is a duplicate: the first counts. */
    @Test
    void aSecondReactionIsADuplicate() {
        start(GroupingSettings.defaults("test").withBatchGroups(1).withFilter(new io.rlstream.processors.filter.NonEmpty())
                .withFeedback(new FeedbackMerge(FeedbackMerge.Mode.ADD, 0.5, 60_000)));
        group("g", 1, 0);
        rewards.pipeInput("g", feedback("g", 1, 1));
        rewards.pipeInput("g", feedback("g", 1, -1));
        driver.advanceWallClockTime(java.time.Duration.ofMillis(61_000));
        // add with weight 0.5: [1, 0 + 0.5 * 1 = 0.5]
        assertEquals(List.of(1.0, 0.5), batches.readValue().getSamples().stream().map(ScoredSample::getReward).toList());
        assertEquals(1, counters.get(GroupingCounters.DUPLICATES));
    }

    // ---- issue 15, fix 5: DAPO's generation round cap ------------------------------------------

    /**
     * B = 2, cap 2 rounds: one kept group and three dropped by dynamic sampling (equal rewards) are
     * 4 = 2·B completed groups without a full batch: the kept group goes as a batch of one, and the
     * hit is counted (DAPO's max_num_gen_batches; verl stops training there, a service goes on).
     */
    @Test
    void afterTheGenerationRoundCapTheKeptGroupsGoAsASmallerBatch() {
        start(GroupingSettings.defaults("test").withBatchGroups(2).withMaxGenerationRounds(2));
        group("kept", 1, 0);
        group("same-1", 1, 1);
        group("same-2", 0, 0);
        assertTrue(batches.isEmpty(), "3 completed groups are fewer than 2 rounds of B = 2");
        group("same-3", 1, 1);
        List<TrainingBatchGroup> out = batches.readValuesToList();
        assertEquals(List.of("kept"), out.stream().map(TrainingBatchGroup::getGroupId).toList());
        assertEquals(1, out.get(0).getBatchGroups());
        assertEquals(4L, out.get(0).getFilterStats().get(FilterStats.GROUPS_COMPLETED));
        assertEquals(1, counters.get(GroupingCounters.GENERATION_CAP_HITS));
        // the count starts again: two more kept groups make a full batch
        group("a", 1, 0);
        group("b", 0, 1);
        assertEquals(2, batches.readValuesToList().size());
    }

    // ---- issue 15, fix 4: pass rates from the correctness component ---------------------------

    /**
     * ±1 correctness with a 0.1 format bonus: rewards [1.1, −0.9, 0.1, 1.1] where the third answer
     * is wrong but well formatted. Mean reward 1.4 / 4 = 0.35, which the old pass rate read as is;
     * the correct share is 2/4 = 0.5, and every sample carries its correct flag.
     */
    @Test
    void promptStatsCountCorrectSamplesNotPositiveRewards() {
        start(1);
        double[][] parts = {{1, 0.1}, {-1, 0.1}, {-1, 1.1}, {1, 0.1}};
        for (int i = 0; i < 4; i++) {
            rollouts.pipeInput("g", ok("g", i, 4));
            double correctness = parts[i][0];
            double format = parts[i][1];
            double total = i == 2 ? 0.1 : correctness + format;
            rewards.pipeInput("g", Reward.newBuilder(reward("g", i, total, SampleStatus.OK))
                    .setComponents(Map.of("correctness", i == 2 ? -1.0 : correctness, "format", 0.1)).build());
        }
        PromptStats stats = promptStats.readValue();
        assertEquals(0.5, stats.getLastGroupPassRate(), 1e-12);
        assertEquals(0.5, stats.getPassRate(), 1e-12);
        assertEquals((1.1 - 0.9 + 0.1 + 1.1) / 4, stats.getLastGroupMeanReward(), 1e-12);
        List<Boolean> correct = batches.readValue().getSamples().stream().map(ScoredSample::getCorrect).toList();
        assertEquals(List.of(true, false, false, true), correct);
    }
}
