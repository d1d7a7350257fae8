package io.rlstream.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.DeadLetter;
import io.rlstream.events.Metric;
import io.rlstream.events.PreferencePair;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import io.rlstream.trainer.checkpoint.CheckpointStore;
import io.rlstream.trainer.checkpoint.TrainerState;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Poison input on the real broker (DJL trains the demo policy): batches with a token id outside the
 * vocabulary or a NaN log-prob are skipped whole, each record a dead letter with its reason, the
 * trainer goes on and a restart does not meet them again; an invalid preference pair is a dead
 * letter while the others train; a checkpoint with non-finite weights is never announced.
 */
class TrainerPoisonIT {

    private static final TopicCatalog CATALOG = new TopicCatalog("tp.", 1);
    /** The demo policy's vocabulary: the arithmetic tokenizer's 16 ids. */
    private static final int VOCAB = CharTokenizer.arithmetic().vocabSize();

    @Test
    void invalidBatchesAreSkippedWholeAndDeadLetteredAndARestartDoesNotMeetThemAgain(@TempDir Path dir)
            throws Exception {
        Path base = TrainerFixtures.basePolicy(dir);
        try (PipelineFixture pipeline = PipelineFixture.start(CATALOG)) {
            // offsets: b-0 0-1, b-1 2-3, b-2 4-5, b-3 6-7, b-4 8-9
            TrainerFixtures.send(pipeline, TestBatches.batch("b-0", 0));
            TrainerFixtures.send(pipeline, withSample(TestBatches.batch("b-1", 1), 1, 0,
                    s -> ScoredSample.newBuilder(s).setResponseTokenIds(List.of(3, VOCAB, 2))
                            .build()));
            TrainerFixtures.send(pipeline, withSample(TestBatches.batch("b-2", 2), 0, 1,
                    s -> ScoredSample.newBuilder(s).setBehaviourLogprobs(List.of(-1f, Float.NaN, -1f)).build()));
            TrainerFixtures.send(pipeline, withSample(TestBatches.batch("b-3", 3), 1, 1,
                    s -> ScoredSample.newBuilder(s).setPromptTokenIds(List.of(-5, 1)).build()));
            TrainerFixtures.send(pipeline, TestBatches.batch("b-4", 4));
            Map<String, Object> settings = TrainerFixtures.settings(pipeline, dir, base);
            settings.put(TrainerServiceConfig.MAX_STEPS, "2");
            assertEquals(null, runToEnd(new TrainerService(new TrainerServiceConfig(settings))));

            CheckpointStore store = new CheckpointStore(dir.resolve("checkpoints"));
            assertEquals(List.of("b-0"), CheckpointStore.readState(store.folder(1)).batchIds());
            TrainerState second = CheckpointStore.readState(store.latest().orElseThrow());
            assertEquals(2, second.version());
            assertEquals(2, second.step());
            assertEquals(List.of("b-4"), second.batchIds(), "b-1..b-3 were not trained, b-4 was");
            assertEquals(10, second.offsets().get(0).offset(), "the skipped batches' offsets are behind version 2");

            List<DeadLetter> dead = new ArrayList<>(pipeline.readValues(Topic.DEAD_LETTERS, DeadLetter.class, 6,
                    Duration.ofSeconds(30)));
            dead.sort(Comparator.comparingLong(DeadLetter::getSourceOffset));
            assertEquals(List.of(2L, 3L, 4L, 5L, 6L, 7L), dead.stream().map(DeadLetter::getSourceOffset).toList(),
                    "one dead letter per record of each invalid batch");
            assertTrue(dead.stream().allMatch(d -> d.getService().equals("trainer")
                    && d.getSourceTopic().equals(CATALOG.name(Topic.TRAINING_BATCHES)) && d.getValue() != null));
            // the record at fault names what is wrong; its batch-mates name it
            assertEquals("invalid input: sample 0 (b-1/1/0): response token id 16 at position 1 outside the"
                    + " vocabulary [0, 16) ([b-1] not trained)", dead.get(1).getError());
            assertEquals("invalid input: [b-1] not trained because of its records at offsets [3]",
                    dead.get(0).getError());
            assertTrue(dead.get(2).getError().contains("behaviour log-prob NaN at response position 1"),
                    dead.get(2).getError());
            assertTrue(dead.get(5).getError().contains("prompt token id -5 at position 0"), dead.get(5).getError());
            assertEquals(3, count(pipeline, "trainer.invalid_batches"));
            assertEquals(6, count(pipeline, "trainer.dead_letters"));

            // a restart reads from offset 10: it trains b-5 only and meets none of the bad batches again
            TrainerFixtures.send(pipeline, TestBatches.batch("b-5", 5));
            settings.put(TrainerServiceConfig.MAX_STEPS, "3");
            assertEquals(null, runToEnd(new TrainerService(new TrainerServiceConfig(settings))));
            TrainerState third = CheckpointStore.readState(store.latest().orElseThrow());
            assertEquals(3, third.version());
            assertEquals(List.of("b-5"), third.batchIds());
            assertEquals(6, pipeline.readValues(Topic.DEAD_LETTERS, DeadLetter.class, 7, Duration.ofSeconds(3)).size(),
                    "no dead letter twice");
        }
    }

    @Test
    void anInvalidPreferencePairIsADeadLetterAndTheOthersTrain(@TempDir Path dir) throws Exception {
        Path base = TrainerFixtures.basePolicy(dir);
        CharTokenizer tokenizer = CharTokenizer.arithmetic();
        try (PipelineFixture pipeline = PipelineFixture.start(CATALOG)) {
            for (int i = 0; i < 3; i++) {
                List<Integer> rejected = i == 1 ? List.of(4, 99) : ints(tokenizer.encode("47"));
                pipeline.send(Topic.PREFERENCE_PAIRS, "p" + i, PreferencePair.newBuilder().setPromptId("p" + i)
                        .setGroupId("g" + i).setPromptTokenIds(ints(tokenizer.encodePrompt("12+34=")))
                        .setChosenTokenIds(ints(tokenizer.encode("46"))).setRejectedTokenIds(rejected)
                        .setChosenReward(1).setRejectedReward(0).setPolicyVersion(0)
                        .setCreatedAt(Instant.EPOCH).build());
            }
            Map<String, Object> settings = TrainerFixtures.settings(pipeline, dir, base);
            settings.put(TrainerServiceConfig.MODE, "preference");
            settings.put(TrainerServiceConfig.PAIRS_PER_STEP, "2");
            settings.put(TrainerServiceConfig.MAX_STEPS, "1");
            assertEquals(null, runToEnd(new TrainerService(new TrainerServiceConfig(settings))));
            TrainerState first = CheckpointStore.readState(new CheckpointStore(dir.resolve("checkpoints")).latest()
                    .orElseThrow());
            assertEquals(1, first.version());
            assertEquals(List.of("pairs@0..2"), first.batchIds(), "pairs 0 and 2 trained");
            assertEquals(3, first.offsets().get(0).offset());
            List<DeadLetter> dead = pipeline.readValues(Topic.DEAD_LETTERS, DeadLetter.class, 1, Duration.ofSeconds(30));
            assertEquals(1, dead.size());
            assertEquals(1, dead.get(0).getSourceOffset());
            assertEquals("unusable PreferencePair record: invalid preference pair p1: rejected token id 99 at"
                    + " position 1 outside the vocabulary [0, 16)", dead.get(0).getError());
        }
    }

    @Test
    void aCheckpointWithNonFiniteWeightsIsNeverAnnounced(@TempDir Path dir) throws Exception {
        Path base = dir.resolve("base");
        try (Policy policy = Policy.create(PolicyConfig.demo(), 1)) {
            NDArray array = policy.parameters().get(0).getValue().getArray();
            float[] w = array.toFloatArray();
            w[5] = Float.NaN;
            array.set(FloatBuffer.wrap(w));
            policy.save(base, Map.of("origin", "test"));
        }
        try (PipelineFixture pipeline = PipelineFixture.start(CATALOG)) {
            TrainerFixtures.send(pipeline, TestBatches.batch("b-0", 0));
            Map<String, Object> settings = TrainerFixtures.settings(pipeline, dir, base);
            settings.put(TrainerServiceConfig.MAX_STEPS, "1");
            Throwable died = runToEnd(new TrainerService(new TrainerServiceConfig(settings)));
            assertTrue(died instanceof IllegalStateException && died.getMessage().startsWith(
                    "refusing to publish or train version 0"), String.valueOf(died));
            assertTrue(died.getMessage().contains("(1 of "), died.getMessage());
            assertEquals(List.of(), pipeline.readValues(Topic.CHECKPOINTS, CheckpointPublished.class, 1,
                    Duration.ofSeconds(3)), "nothing announced");
            assertEquals(1, count(pipeline, "trainer.publish_refused"));
        }
    }

    private static long count(PipelineFixture pipeline, String metric) {
        return pipeline.readValues(Topic.METRICS, Metric.class, 1, Duration.ofSeconds(10)).stream()
                .filter(m -> m.getName().equals(metric)).count();
    }

    private static List<TrainingBatchGroup> withSample(List<TrainingBatchGroup> batch, int group, int sample,
            UnaryOperator<ScoredSample> change) {
        List<TrainingBatchGroup> out = new ArrayList<>(batch);
        List<ScoredSample> samples = new ArrayList<>(out.get(group).getSamples());
        samples.set(sample, change.apply(samples.get(sample)));
        out.set(group, TrainingBatchGroup.newBuilder(out.get(group)).setSamples(samples).build());
        return out;
    }

    private static List<Integer> ints(int[] tokens) {
        return Arrays.stream(tokens).boxed().toList();
    }

    /** Runs the trainer to trainer.max.steps; returns what killed its thread, or null. */
    private static Throwable runToEnd(TrainerService trainer) throws InterruptedException {
        AtomicReference<Throwable> died = new AtomicReference<>();
        Thread t = new Thread(trainer, "trainer-under-test");
        t.setUncaughtExceptionHandler((thread, e) -> died.set(e));
        t.start();
        t.join(120_000);
        assertFalse(t.isAlive(), "the trainer stops after trainer.max.steps");
        return died.get();
    }
}
