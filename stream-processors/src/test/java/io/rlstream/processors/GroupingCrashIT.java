package io.rlstream.processors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.FinishReason;
import io.rlstream.events.Reward;
import io.rlstream.events.Rollout;
import io.rlstream.events.RolloutPosition;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.processors.grouping.GroupingApp;
import io.rlstream.rollouts.RolloutSummaries;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exactly once under a hard crash, and replay, on a real broker and a real registry. The grouping
 * app runs in its own JVM (the {@code GroupingApp} main a deployment runs) and is killed with
 * SIGKILL in the middle of the stream, while rollouts and rewards keep coming; a new process
 * takes over. Every group must then be in exactly one committed batch: none lost, none twice, and
 * the batch sequence without gaps or repeats. In the default grouping.rollouts.source = rewards:
 * the app reads rl.rewards only, each reward carrying its rollout's summary and position.
 */
class GroupingCrashIT {

    private static final TopicCatalog CATALOG = TopicCatalog.defaults();
    private static final int GROUP_SIZE = 4;
    private static final int BATCH_GROUPS = 4;

    @RegisterExtension
    final PipelineFixture pipeline = PipelineFixture.extension(CATALOG);
    private final List<Process> children = new ArrayList<>();
    /** Where each rollout was written on rl.rollouts, by rollout_id. */
    private final Map<String, RolloutPosition> positions = new ConcurrentHashMap<>();

    @AfterEach
    void down() {
        // Before the extension stops the broker under them.
        children.forEach(Process::destroyForcibly);
    }

    @Test
    void aHardKilledGroupingAppLosesNoGroupAndBatchesNoneTwice() throws Exception {
        int groups = 120;
        Path work = Files.createDirectories(Path.of("target", "crash-it-" + System.nanoTime()));
        Path config = writeConfig(work, Map.of("processors.application.id", "crash-it"));

        // A first third is waiting when the app starts; the rest arrives at a steady pace, as from generators.
        AtomicInteger produced = new AtomicInteger();
        produceGroups(0, groups / 3, 0, produced);
        Process first = startGroupingApp(config, work.resolve("first.log"));
        awaitBatches(2, Duration.ofSeconds(90));
        Thread generators = new Thread(() -> produceGroups(groups / 3, groups, 30, produced), "generators");
        generators.start();

        // Kill it hard while records are flowing in and batches are being written.
        Thread.sleep(500);
        first.destroyForcibly().waitFor();
        assertTrue(produced.get() < groups, "the kill must come mid-stream; all " + groups + " groups were already in");
        int atKill = produced.get();

        Process second = startGroupingApp(config, work.resolve("second.log"));
        generators.join();
        List<TrainingBatchGroup> batches = awaitBatches(groups / BATCH_GROUPS, Duration.ofSeconds(120));
        second.destroy();
        second.waitFor();

        // Exactly once: each of the 120 groups in one batch, batch sequences 0..29 once each, B records per batch.
        Map<String, Long> timesBatched = batches.stream()
                .collect(Collectors.groupingBy(TrainingBatchGroup::getGroupId, TreeMap::new, Collectors.counting()));
        assertEquals(groups, timesBatched.size(), "groups lost (killed after " + atKill + " groups were produced)");
        timesBatched.forEach((group, n) -> assertEquals(1L, n, group + " was batched " + n + " times"));
        Map<Long, Long> perSequence = batches.stream()
                .collect(Collectors.groupingBy(TrainingBatchGroup::getBatchSequence, TreeMap::new, Collectors.counting()));
        assertEquals(groups / BATCH_GROUPS, perSequence.size());
        assertEquals(0L, ((TreeMap<Long, Long>) perSequence).firstKey());
        assertEquals(groups / BATCH_GROUPS - 1L, ((TreeMap<Long, Long>) perSequence).lastKey());
        perSequence.forEach((seq, n) -> assertEquals(BATCH_GROUPS, n.intValue(), "batch " + seq + " has " + n + " groups"));
        // And every sample of every group is in its batch, with its advantage: rewards [1, 0, 0, 0] -> 1.5, -0.5.
        for (TrainingBatchGroup g : batches) {
            assertEquals(GROUP_SIZE, g.getSamples().size());
            assertEquals(1.5f, g.getSamples().get(0).getAdvantage(), 1e-5f);
            // each sample points at its own rollout on rl.rollouts, from its reward's summary
            for (ScoredSample s : g.getSamples()) {
                assertEquals(positions.get(s.getRolloutId()), s.getSource(), s.getRolloutId());
            }
        }
    }

    @Test
    void aReplayUnderANewApplicationIdMakesThatConfigurationsBatchesBesideTheLiveOnes() throws Exception {
        int groups = 8;
        produceGroups(0, groups, 0, new AtomicInteger());
        Path work = Files.createDirectories(Path.of("target", "replay-it-" + System.nanoTime()));

        // live: grpo, B = 2
        Process live = startGroupingApp(writeConfig(work, Map.of("processors.application.id", "live",
                "batch.groups", "2")), work.resolve("live.log"));
        List<TrainingBatchGroup> liveBatches = awaitBatches(CATALOG, groups, Duration.ofSeconds(90));
        live.destroy();
        live.waitFor();

        // replay of the same recorded rollouts and rewards: rloo, B = 4, written under the prefix "replay."
        TopicCatalog replayTopics = new TopicCatalog("replay.", CATALOG.groupPartitions());
        pipeline.kafka().createTopics(replayTopics);
        Process replay = startGroupingApp(writeConfig(work, Map.of("processors.application.id", "replay-rloo",
                "batch.groups", "4", "advantage.estimator", "rloo", "processors.output.topic-prefix", "replay.")),
                work.resolve("replay.log"));
        List<TrainingBatchGroup> replayed = awaitBatches(replayTopics, groups, Duration.ofSeconds(90));
        replay.destroy();
        replay.waitFor();

        assertEquals(groups, replayed.size());
        assertEquals(List.of("replay-rloo-0", "replay-rloo-1"),
                replayed.stream().map(TrainingBatchGroup::getBatchId).distinct().sorted().toList());
        assertEquals("rloo", replayed.get(0).getEstimator());
        // rewards [1, 0, 0, 0]: RLOO A_0 = 1 - (0 + 0 + 0)/3 = 1, A_1 = 0 - (1 + 0 + 0)/3 = -1/3
        assertEquals(List.of(1f, -1f / 3, -1f / 3, -1f / 3),
                replayed.get(0).getSamples().stream().map(ScoredSample::getAdvantage).toList());
        // the live topic kept its own 4 batches of grpo
        assertEquals(groups, awaitBatches(CATALOG, groups, Duration.ofSeconds(10)).size());
        assertEquals(4, liveBatches.stream().map(TrainingBatchGroup::getBatchId).distinct().count());
    }

    // ---- helpers --------------------------------------------------------------------------

    private Path writeConfig(Path dir, Map<String, String> extra) throws IOException {
        Properties p = new Properties();
        p.putAll(pipeline.serviceSettings());
        p.put("processors.state.dir", dir.resolve("state-" + extra.get("processors.application.id")).toString());
        p.put("batch.groups", Integer.toString(BATCH_GROUPS));
        p.put("group.size", Integer.toString(GROUP_SIZE));
        p.put("processors.commit.interval.ms", "50");
        // A killed member must leave its group and its open transaction fast, so the next one takes over
        // in seconds (the defaults are 45 s and 10 s).
        p.put("kafka.session.timeout.ms", "6000");
        p.put("kafka.heartbeat.interval.ms", "1000");
        p.put("kafka.transaction.timeout.ms", "5000");
        p.putAll(extra);
        Path file = dir.resolve(extra.get("processors.application.id") + ".properties");
        try (Writer w = Files.newBufferedWriter(file)) {
            p.store(w, "written by " + getClass().getSimpleName());
        }
        return file;
    }

    private Process startGroupingApp(Path config, Path log) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=io.rlstream.events", GroupingApp.class.getName(),
                config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        children.add(p);
        return p;
    }

    /**
     * Groups first..last−1 of G = 4 with rewards [1, 0, 0, 0], one group every {@code pauseMs}: the
     * rollouts to rl.rollouts, then their rewards, each with its rollout's summary and position, as
     * the reward service writes them (the grouping app reads rl.rewards only, issue 18). Each
     * rollout's position is remembered in {@link #positions}.
     */
    private void produceGroups(int first, int last, long pauseMs, AtomicInteger produced) {
        try (KafkaProducer<String, Rollout> rolloutProducer = pipeline.producer(Rollout.class)) {
            for (int n = first; n < last; n++) {
                String group = "group-" + n;
                List<Rollout> rollouts = new ArrayList<>();
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (int i = 0; i < GROUP_SIZE; i++) {
                    rollouts.add(rollout(group, i));
                    sent.add(rolloutProducer.send(new ProducerRecord<>(CATALOG.name(Topic.ROLLOUTS), group,
                            rollouts.get(i))));
                }
                List<Reward> rewards = new ArrayList<>();
                for (int i = 0; i < GROUP_SIZE; i++) {
                    RecordMetadata at = sent.get(i).get();
                    positions.put(rollouts.get(i).getRolloutId(), new RolloutPosition(at.partition(), at.offset()));
                    rewards.add(Reward.newBuilder(reward(group, i))
                            .setRollout(RolloutSummaries.of(rollouts.get(i), at.partition(), at.offset())).build());
                }
                pipeline.sendAll(Topic.REWARDS, Reward::getGroupId, rewards);
                produced.incrementAndGet();
                if (pauseMs > 0) {
                    Thread.sleep(pauseMs);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a rollout was not written", e);
        }
    }

    private static Rollout rollout(String group, int i) {
        return Rollout.newBuilder().setRolloutId(group + "/" + i).setGroupId(group).setPromptId("p-" + group)
                .setSampleIndex(i).setGroupSize(GROUP_SIZE).setPromptTokenIds(List.of(1, 2))
                .setResponseTokenIds(List.of(3, 4, 5)).setBehaviourLogprobs(List.of(-0.1f, -0.2f, -0.3f))
                .setResponseText("x").setPolicyVersion(0).setFinishReason(FinishReason.STOP)
                .setStatus(SampleStatus.OK).setGeneratedAt(Instant.now()).build();
    }

    private static Reward reward(String group, int i) {
        return Reward.newBuilder().setRolloutId(group + "/" + i).setGroupId(group).setPromptId("p-" + group)
                .setScore(i == 0 ? 1.0 : 0.0).setStatus(SampleStatus.OK).setVerifier("it")
                .setScoredAt(Instant.now()).build();
    }

    private List<TrainingBatchGroup> awaitBatches(int batches, Duration wait) {
        return awaitBatches(CATALOG, batches * BATCH_GROUPS, wait);
    }

    /** Committed batch records until at least {@code records} are in (or the time is up), then a little more. */
    private List<TrainingBatchGroup> awaitBatches(TopicCatalog topics, int records, Duration wait) {
        List<TrainingBatchGroup> out = pipeline.readValues(topics.name(Topic.TRAINING_BATCHES), TrainingBatchGroup.class,
                records, wait);
        assertTrue(out.size() >= records, "only " + out.size() + " of " + records + " batch records within " + wait);
        return out;
    }
}
