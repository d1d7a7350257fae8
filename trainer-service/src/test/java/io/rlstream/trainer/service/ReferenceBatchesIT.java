package io.rlstream.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.BatchTokens;
import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.DeadLetter;
import io.rlstream.events.FinishReason;
import io.rlstream.events.Metric;
import io.rlstream.events.PreferencePair;
import io.rlstream.events.Rollout;
import io.rlstream.events.RolloutPosition;
import io.rlstream.events.SampleStatus;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.rollouts.KafkaRolloutLog;
import io.rlstream.rollouts.TokenResolver;
import io.rlstream.schemas.Topic;
import io.rlstream.schemas.TopicCatalog;
import io.rlstream.testkit.PipelineFixture;
import io.rlstream.tokens.Tokens;
import io.rlstream.trainer.checkpoint.CheckpointStore;
import io.rlstream.trainer.checkpoint.TrainerState;
import io.rlstream.trainer.core.GroupSample;
import io.rlstream.trainer.core.TrainingSample;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training batches and preference pairs written by reference (processors batch.tokens=reference,
 * claim check) on the real broker and registry: the rollouts are on rl.rollouts, the batch records
 * carry their positions, and the trainer fetches the tokens ({@link TokenResolver}) before it
 * checks and trains. The step input built from a reference batch is the one built from the same
 * batch written inline; a batch whose rollouts are gone (deleted below the log start, as retention
 * does) is skipped whole, dead-lettered and counted, never trained on empty samples.
 */
class ReferenceBatchesIT {

    /** Two partitions of rl.rollouts, so a batch's rollouts are read from both in one pass. */
    private static final TopicCatalog CATALOG = new TopicCatalog("ref.", 2);
    private static final int VOCAB = CharTokenizer.arithmetic().vocabSize();

    @Test
    void aReferenceBatchResolvesToTheStepInputOfItsInlineTwinAndAGoneRolloutRefusesItsBatch() throws Exception {
        try (PipelineFixture pipeline = PipelineFixture.start(CATALOG)) {
            List<TrainingBatchGroup> inline = TestBatches.batch("b-0", 0);
            List<TrainingBatchGroup> reference = byReference(inline, writeRollouts(pipeline, inline));

            // what the reference records carry: positions and lengths, no tokens
            ScoredSample first = reference.get(0).getSamples().get(0);
            assertNull(first.getPackedResponseTokenIds());
            assertEquals(0, first.getResponseTokenIds().size());
            assertEquals(3, first.getResponseLength(), "'46' and end-of-sequence");
            // A trainer before this change reads no tokens there and refuses the batch as bad input
            // (the same InputChecks it runs), never training on empty samples: docs/operations.md.
            assertTrue(InputChecks.trainingBatch(reference, VOCAB, true).get(0).contains("empty prompt"),
                    InputChecks.trainingBatch(reference, VOCAB, true).toString());

            try (TokenResolver resolver = resolver(pipeline)) {
                AtomicReference<List<TrainingBatchGroup>> trained = new AtomicReference<>();
                StepInput.Step step = RlStepInput.step(new BatchCollector.Batch(reference, List.of(0L, 1L)), resolver,
                        VOCAB, true, groups -> {
                            trained.set(groups);
                            return trainer -> Map.of();
                        });
                assertFalse(step.refused(), step.invalid().toString());
                // rl mode: the same TrainingSamples, field by field (tokens, log-probs, advantages, ...)
                assertEquals(describe(RlStepInput.samples(inline, 0)), describe(RlStepInput.samples(trained.get(), 0)));
                // group mode: the same GroupSamples
                assertEquals(describeGroups(GroupStepInput.groups(inline)), describeGroups(GroupStepInput.groups(trained.get())));
                assertEquals(BatchTokens.INLINE, trained.get().get(0).getTokens(), "resolved records read as inline");

                // Rollouts gone: delete rl.rollouts below the end of both partitions, as retention would.
                List<TrainingBatchGroup> later = TestBatches.batch("b-1", 1);
                List<TrainingBatchGroup> laterByReference = byReference(later, writeRollouts(pipeline, later));
                deleteAllRollouts(pipeline);
                StepInput.Step gone = RlStepInput.step(new BatchCollector.Batch(laterByReference, List.of(2L, 3L)),
                        resolver, VOCAB, true, groups -> trainer -> Map.of());
                assertTrue(gone.refused());
                assertEquals(4, gone.rolloutsMissing(), "all four samples' rollouts are gone");
                assertEquals(List.of(2L, 3L), List.copyOf(gone.invalid().keySet()));
                assertTrue(gone.invalid().get(2L).startsWith("sample 0 (b-1/0/0): its rollout at rl.rollouts partition "),
                        gone.invalid().get(2L));
                assertTrue(gone.invalid().get(2L).contains("is gone"), gone.invalid().get(2L));
            }
        }
    }

    @Test
    void theTrainerTrainsReferenceBatchesOnceAcrossARestartAndSkipsOneWhoseRolloutsAreGone(@TempDir Path dir)
            throws Exception {
        Path base = TrainerFixtures.basePolicy(dir);
        try (PipelineFixture pipeline = PipelineFixture.start(CATALOG)) {
            // b-gone's rollouts are written first and deleted (retention), then b-0 and b-1's
            List<TrainingBatchGroup> doomed = TestBatches.batch("b-gone", 0);
            List<TrainingBatchGroup> doomedRef = byReference(doomed, writeRollouts(pipeline, doomed));
            deleteAllRollouts(pipeline);
            List<TrainingBatchGroup> b0 = TestBatches.batch("b-0", 1);
            List<TrainingBatchGroup> b1 = TestBatches.batch("b-1", 2);
            // offsets: b-gone 0-1, b-0 2-3, b-1 4-5
            TrainerFixtures.send(pipeline, doomedRef);
            TrainerFixtures.send(pipeline, byReference(b0, writeRollouts(pipeline, b0)));
            TrainerFixtures.send(pipeline, byReference(b1, writeRollouts(pipeline, b1)));
            Map<String, Object> settings = TrainerFixtures.settings(pipeline, dir, base);
            settings.put(TrainerServiceConfig.MAX_STEPS, "2");
            runToEnd(new TrainerService(new TrainerServiceConfig(settings)));

            CheckpointStore store = new CheckpointStore(dir.resolve("checkpoints"));
            TrainerState first = CheckpointStore.readState(store.folder(1));
            assertEquals(List.of("b-0"), first.batchIds(), "b-gone was not trained");
            // the demo batch: 4 samples of 3 response tokens, as the inline batch trains
            assertEquals(12.0, first.metrics().get("tokens"));
            TrainerState second = CheckpointStore.readState(store.latest().orElseThrow());
            assertEquals(List.of("b-1"), second.batchIds());
            assertEquals(6, second.offsets().get(0).offset());

            List<DeadLetter> dead = pipeline.readValues(Topic.DEAD_LETTERS, DeadLetter.class, 2, Duration.ofSeconds(30));
            assertEquals(List.of(0L, 1L), dead.stream().map(DeadLetter::getSourceOffset).sorted().toList());
            assertTrue(dead.stream().allMatch(d -> d.getError().startsWith("rollouts missing: sample 0 (b-gone/")),
                    dead.get(0).getError());
            assertEquals(4.0, metricSum(pipeline, "trainer.rollouts_missing"), "four samples' rollouts were gone");

            // a reference batch arriving while the trainer is down is trained by the restarted one, and only it
            List<TrainingBatchGroup> b2 = TestBatches.batch("b-2", 3);
            TrainerFixtures.send(pipeline, byReference(b2, writeRollouts(pipeline, b2)));
            settings.put(TrainerServiceConfig.MAX_STEPS, "3");
            runToEnd(new TrainerService(new TrainerServiceConfig(settings)));
            TrainerState third = CheckpointStore.readState(store.latest().orElseThrow());
            assertEquals(3, third.version());
            assertEquals(List.of("b-2"), third.batchIds());
            assertEquals(8, third.offsets().get(0).offset());
            List<Long> versions = pipeline.readValues(Topic.CHECKPOINTS, CheckpointPublished.class, 5,
                    Duration.ofSeconds(30)).stream().map(CheckpointPublished::getVersion).toList();
            assertEquals(List.of(0L, 1L, 2L, 2L, 3L), versions, "no batch trained twice");
        }
    }

    @Test
    void preferencePairsByReferenceTrainAndOneWhoseRolloutIsGoneIsADeadLetter(@TempDir Path dir) throws Exception {
        Path base = TrainerFixtures.basePolicy(dir);
        CharTokenizer tokenizer = CharTokenizer.arithmetic();
        try (PipelineFixture pipeline = PipelineFixture.start(CATALOG)) {
            List<TrainingBatchGroup> doomed = TestBatches.batch("gone", 0);
            List<RolloutPosition> doomedAt = writeRollouts(pipeline, doomed);
            deleteAllRollouts(pipeline);
            List<TrainingBatchGroup> kept = TestBatches.batch("kept", 1);
            List<RolloutPosition> keptAt = writeRollouts(pipeline, kept);
            // pairs: 0 from kept group 0, 1 from the deleted rollouts, 2 from kept group 1 (samples 2g, 2g+1)
            pipeline.send(Topic.PREFERENCE_PAIRS, "p0", pair("p0", keptAt.get(0), keptAt.get(1)));
            pipeline.send(Topic.PREFERENCE_PAIRS, "p1", pair("p1", doomedAt.get(0), doomedAt.get(1)));
            pipeline.send(Topic.PREFERENCE_PAIRS, "p2", pair("p2", keptAt.get(2), keptAt.get(3)));

            // the trainer's resolver gives the pair its rollouts' tokens
            try (TokenResolver resolver = resolver(pipeline)) {
                TokenResolver.ResolvedPair p0 = resolver.resolve(pair("p0", keptAt.get(0), keptAt.get(1)));
                assertNull(p0.missing());
                assertEquals(Arrays.toString(tokenizer.encodePrompt("12+34=")), Arrays.toString(Tokens.promptIds(p0.pair())));
                assertEquals(Arrays.toString(Tokens.responseIds(kept.get(0).getSamples().get(0))),
                        Arrays.toString(Tokens.chosenIds(p0.pair())));
                assertEquals(Arrays.toString(Tokens.responseIds(kept.get(0).getSamples().get(1))),
                        Arrays.toString(Tokens.rejectedIds(p0.pair())));
            }

            Map<String, Object> settings = TrainerFixtures.settings(pipeline, dir, base);
            settings.put(TrainerServiceConfig.MODE, "preference");
            settings.put(TrainerServiceConfig.PAIRS_PER_STEP, "2");
            settings.put(TrainerServiceConfig.MAX_STEPS, "1");
            runToEnd(new TrainerService(new TrainerServiceConfig(settings)));
            TrainerState state = CheckpointStore.readState(new CheckpointStore(dir.resolve("checkpoints")).latest()
                    .orElseThrow());
            assertEquals(List.of("pairs@0..2"), state.batchIds(), "pairs 0 and 2 trained");
            List<DeadLetter> dead = pipeline.readValues(Topic.DEAD_LETTERS, DeadLetter.class, 1, Duration.ofSeconds(30));
            assertEquals(1, dead.size());
            assertEquals(1, dead.get(0).getSourceOffset());
            assertTrue(dead.get(0).getError().startsWith("rollouts missing: preference pair p1: chosen: its rollout at"),
                    dead.get(0).getError());
            assertEquals(2.0, metricSum(pipeline, "trainer.rollouts_missing"), "both of p1's rollouts");
        }
    }

    /** Writes each sample of the batch as a Rollout (its group id the key); returns their positions in sample order. */
    static List<RolloutPosition> writeRollouts(PipelineFixture pipeline, List<TrainingBatchGroup> batch)
            throws Exception {
        return writeRollouts(pipeline, CATALOG, batch);
    }

    static List<RolloutPosition> writeRollouts(PipelineFixture pipeline, TopicCatalog catalog,
            List<TrainingBatchGroup> batch) throws Exception {
        List<RolloutPosition> out = new ArrayList<>();
        try (KafkaProducer<String, Rollout> producer = pipeline.producer(Rollout.class)) {
            for (TrainingBatchGroup g : batch) {
                int i = 0;
                for (ScoredSample s : g.getSamples()) {
                    Rollout r = Tokens.pack(Rollout.newBuilder(), Tokens.promptIds(s), Tokens.responseIds(s),
                                    Tokens.logprobs(s))
                            .setRolloutId(s.getRolloutId()).setGroupId(g.getGroupId()).setPromptId(g.getPromptId())
                            .setSampleIndex(i++).setGroupSize(g.getSamples().size()).setResponseText("-")
                            .setPolicyVersion(s.getPolicyVersion()).setFinishReason(FinishReason.STOP)
                            .setStatus(SampleStatus.OK).setGeneratedAt(Instant.EPOCH).build();
                    RecordMetadata m = producer.send(new ProducerRecord<>(catalog.name(Topic.ROLLOUTS), g.getGroupId(), r))
                            .get();
                    out.add(new RolloutPosition(m.partition(), m.offset()));
                }
            }
        }
        return out;
    }

    /** The batch as the grouping app writes it with batch.tokens=reference: positions and lengths, no tokens. */
    static List<TrainingBatchGroup> byReference(List<TrainingBatchGroup> batch, List<RolloutPosition> positions) {
        List<TrainingBatchGroup> out = new ArrayList<>();
        int k = 0;
        for (TrainingBatchGroup g : batch) {
            List<ScoredSample> samples = new ArrayList<>();
            for (ScoredSample s : g.getSamples()) {
                samples.add(ScoredSample.newBuilder(s).setPromptTokenIds(List.of()).setResponseTokenIds(List.of())
                        .setBehaviourLogprobs(List.of()).setPackedPromptTokenIds(null).setPackedResponseTokenIds(null)
                        .setPackedBehaviourLogprobs(null).setResponseLength(Tokens.responseLength(s))
                        .setSource(positions.get(k++)).build());
            }
            out.add(TrainingBatchGroup.newBuilder(g).setSamples(samples).setTokens(BatchTokens.REFERENCE).build());
        }
        return out;
    }

    private static PreferencePair pair(String id, RolloutPosition chosen, RolloutPosition rejected) {
        return PreferencePair.newBuilder().setPromptId(id).setGroupId("g-" + id).setChosenReward(1).setRejectedReward(0)
                .setPolicyVersion(0).setCreatedAt(Instant.EPOCH).setTokens(BatchTokens.REFERENCE)
                .setChosenSource(chosen).setRejectedSource(rejected).build();
    }

    private static TokenResolver resolver(PipelineFixture pipeline) {
        return new TokenResolver(() -> new KafkaRolloutLog(pipeline.kafka().clientConfig(), "test", CATALOG.name(
                Topic.ROLLOUTS), pipeline.serdes().serde(Rollout.class).deserializer(), Duration.ofSeconds(30)));
    }

    private static void deleteAllRollouts(PipelineFixture pipeline) throws Exception {
        Map<TopicPartition, RecordsToDelete> below = new HashMap<>();
        for (int p = 0; p < CATALOG.groupPartitions(); p++) {
            TopicPartition tp = new TopicPartition(CATALOG.name(Topic.ROLLOUTS), p);
            long end = pipeline.kafka().admin().listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                    .partitionResult(tp).get().offset();
            below.put(tp, RecordsToDelete.beforeOffset(end));
        }
        pipeline.kafka().admin().deleteRecords(below).all().get();
    }

    /** Each sample's fields, arrays by content (records compare arrays by identity). */
    private static List<String> describe(List<?> samples) {
        List<String> out = new ArrayList<>();
        for (Object s : samples) {
            StringBuilder b = new StringBuilder();
            for (RecordComponent c : s.getClass().getRecordComponents()) {
                try {
                    Object v = c.getAccessor().invoke(s);
                    b.append(c.getName()).append('=').append(v instanceof int[] a ? Arrays.toString(a)
                            : v instanceof float[] f ? Arrays.toString(f) : String.valueOf(v)).append(' ');
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
            out.add(b.toString());
        }
        return out;
    }

    private static List<List<String>> describeGroups(List<List<GroupSample>> groups) {
        return groups.stream().map(ReferenceBatchesIT::describe).toList();
    }

    private static double metricSum(PipelineFixture pipeline, String metric) {
        return pipeline.readValues(Topic.METRICS, Metric.class, 1, Duration.ofSeconds(10)).stream()
                .filter(m -> m.getName().equals(metric)).mapToDouble(Metric::getValue).sum();
    }

    private static void runToEnd(TrainerService trainer) throws InterruptedException {
        Thread t = new Thread(trainer, "trainer-under-test");
        t.start();
        t.join(120_000);
        assertFalse(t.isAlive(), "the trainer stops after trainer.max.steps");
    }
}
