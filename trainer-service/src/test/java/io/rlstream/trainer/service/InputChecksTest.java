package io.rlstream.trainer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.events.PreferencePair;
import io.rlstream.events.ScoredSample;
import io.rlstream.events.TrainingBatchGroup;
import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.tokens.Tokens;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Each check of the trainer's input on the test batches with one thing broken; a sound batch passes. */
class InputChecksTest {

    /** The demo policy's vocabulary: the arithmetic tokenizer's 16 ids. */
    private static final int VOCAB = CharTokenizer.arithmetic().vocabSize();

    @Test
    void aSoundBatchPasses() {
        assertEquals(Map.of(), InputChecks.trainingBatch(TestBatches.batch("b", 0), VOCAB, true));
    }

    @Test
    void tokenIdsOutsideTheVocabularyAreNamedWithTheirPosition() {
        List<TrainingBatchGroup> batch = withSample(TestBatches.batch("b", 0), 1, 0,
                s -> ScoredSample.newBuilder(s).setResponseTokenIds(List.of(3, VOCAB)).setBehaviourLogprobs(
                        List.of(-1f, -1f)).build());
        Map<Integer, String> problems = InputChecks.trainingBatch(batch, VOCAB, true);
        assertEquals(List.of(1), List.copyOf(problems.keySet()), "only the second record is wrong");
        assertEquals("sample 0 (b/1/0): response token id 16 at position 1 outside the vocabulary [0, 16)",
                problems.get(1));

        batch = withSample(TestBatches.batch("b", 0), 0, 1, s -> ScoredSample.newBuilder(s)
                .setPromptTokenIds(List.of(-1, 2)).build());
        assertEquals("sample 1 (b/0/1): prompt token id -1 at position 0 outside the vocabulary [0, 16)",
                InputChecks.trainingBatch(batch, VOCAB, true).get(0));
    }

    @Test
    void packedTokensAreCheckedLikeArrays() {
        List<TrainingBatchGroup> batch = withSample(TestBatches.batch("b", 0), 0, 0, s -> ScoredSample.newBuilder(s)
                .setPackedResponseTokenIds(Tokens.packInts(new int[] {1, 1000})).build());
        assertTrue(InputChecks.trainingBatch(batch, VOCAB, true).get(0).contains("response token id 1000 at position 1"));
        batch = withSample(TestBatches.batch("b", 0), 0, 0, s -> ScoredSample.newBuilder(s)
                .setPackedResponseTokenIds(ByteBuffer.wrap(new byte[] {1, 2, 3})).build());
        assertTrue(InputChecks.trainingBatch(batch, VOCAB, true).get(0).contains("unreadable tokens: packed tokens hold 3 bytes"));
    }

    @Test
    void lengthsAndEmptinessAndNumbersAreChecked() {
        // TestBatches' responses are "46"/"47" plus eos: 3 tokens
        assertEquals("sample 0 (b/0/0): 2 behaviour log-probs for 3 response tokens", problem(
                s -> ScoredSample.newBuilder(s).setBehaviourLogprobs(List.of(-1f, -1f)).build(), true));
        assertEquals("sample 0 (b/0/0): empty response, 3 behaviour log-probs for 0 response tokens", problem(
                s -> ScoredSample.newBuilder(s).setResponseTokenIds(List.of()).build(), true));
        assertEquals("sample 0 (b/0/0): behaviour log-prob NaN at response position 1", problem(
                s -> ScoredSample.newBuilder(s).setBehaviourLogprobs(List.of(-1f, Float.NaN, -1f)).build(), true));
        assertEquals("sample 0 (b/0/0): reward Infinity", problem(
                s -> ScoredSample.newBuilder(s).setReward(Double.POSITIVE_INFINITY).build(), true));
        assertEquals("sample 0 (b/0/0): advantage NaN", problem(
                s -> ScoredSample.newBuilder(s).setAdvantage(Float.NaN).build(), true));
        // group mode reads the rewards, not the advantages
        assertNull(problem(s -> ScoredSample.newBuilder(s).setAdvantage(Float.NaN).build(), false));
        assertEquals("sample 0 (b/0/0): temperature 0.0 (must be finite and > 0)", problem(
                s -> ScoredSample.newBuilder(s).setTemperature(0f).build(), true));
    }

    @Test
    void sizesMustBeWhatTheRecordsSay() {
        List<TrainingBatchGroup> batch = new ArrayList<>(TestBatches.batch("b", 0));
        batch.set(1, TrainingBatchGroup.newBuilder(batch.get(1)).setBatchSamples(5).setGroupIndex(3).build());
        // 2 records of 2 samples: 4 samples; the second says 5 and index 3
        assertEquals("group_index 3 where 1 was expected (0..1); batch_samples 5 but the batch's records hold 4",
                InputChecks.trainingBatch(batch, VOCAB, true).get(1));
        batch = List.of(TrainingBatchGroup.newBuilder(TestBatches.batch("b", 0).get(0)).setBatchGroups(0)
                .setBatchSamples(2).build());
        assertEquals("batch_groups 0 but the batch has 1 records", InputChecks.trainingBatch(batch, VOCAB, true).get(0));
    }

    @Test
    void anEmptyGroupIsRefused() {
        // one record, no samples: its sizes agree (1 group, 0 samples), but there is nothing to train (issue 19)
        List<TrainingBatchGroup> batch = List.of(TrainingBatchGroup.newBuilder(TestBatches.batch("b", 0).get(0))
                .setBatchGroups(1).setBatchSamples(0).setSamples(List.of()).build());
        assertEquals(Map.of(0, "no samples: an empty group"), InputChecks.trainingBatch(batch, VOCAB, true));
    }

    @Test
    void preferencePairsAndSupervisedTargets() {
        PreferencePair.Builder pair = PreferencePair.newBuilder().setPromptId("p").setGroupId("g")
                .setPromptTokenIds(List.of(1, 2)).setChosenTokenIds(List.of(3)).setRejectedTokenIds(List.of(4))
                .setChosenReward(1).setRejectedReward(0).setPolicyVersion(0).setCreatedAt(Instant.EPOCH);
        assertNull(InputChecks.preferencePair(pair.build(), VOCAB));
        assertEquals("rejected token id 99 at position 1 outside the vocabulary [0, 16)",
                InputChecks.preferencePair(pair.setRejectedTokenIds(List.of(4, 99)).build(), VOCAB));
        assertEquals("empty chosen, rejected token id 99 at position 1 outside the vocabulary [0, 16)",
                InputChecks.preferencePair(pair.setChosenTokenIds(List.of()).build(), VOCAB));
        assertEquals("target token id 16 at position 0 outside the vocabulary [0, 16)",
                InputChecks.supervised(new int[] {1}, new int[] {16}, VOCAB));
    }

    /** group mode refuses the same batch whole through its input, with the record's offset. */
    @Test
    void groupModeRefusesAnInvalidBatchWholeByOffset() {
        GroupStepInput input = new GroupStepInput(new io.rlstream.trainer.objective.LipoLambda(0.1), () -> 0, VOCAB);
        List<TrainingBatchGroup> batch = withSample(TestBatches.batch("b", 0), 1, 1,
                s -> ScoredSample.newBuilder(s).setReward(Double.NaN).build());
        assertTrue(input.add(batch.get(0), 10).isEmpty());
        StepInput.Step step = input.add(batch.get(1), 11).orElseThrow();
        assertTrue(step.refused());
        assertEquals(List.of(10L, 11L), step.offsets());
        assertEquals(Map.of(11L, "sample 1 (b/1/1): reward NaN"), step.invalid());
        // a sound batch is a step to train
        RlStepInput rl = new RlStepInput(() -> 0, 0, VOCAB);
        List<TrainingBatchGroup> sound = TestBatches.batch("c", 1);
        rl.add(sound.get(0), 12);
        StepInput.Step ok = rl.add(sound.get(1), 13).orElseThrow();
        assertTrue(!ok.refused() && ok.train() != null);
        assertEquals(List.of(12L, 13L), ok.offsets());
    }

    private static String problem(UnaryOperator<ScoredSample> change, boolean advantages) {
        return InputChecks.trainingBatch(withSample(TestBatches.batch("b", 0), 0, 0, change), VOCAB, advantages).get(0);
    }

    private static List<TrainingBatchGroup> withSample(List<TrainingBatchGroup> batch, int group, int sample,
            UnaryOperator<ScoredSample> change) {
        List<TrainingBatchGroup> out = new ArrayList<>(batch);
        List<ScoredSample> samples = new ArrayList<>(out.get(group).getSamples());
        samples.set(sample, change.apply(samples.get(sample)));
        out.set(group, TrainingBatchGroup.newBuilder(out.get(group)).setSamples(samples).build());
        return out;
    }
}
