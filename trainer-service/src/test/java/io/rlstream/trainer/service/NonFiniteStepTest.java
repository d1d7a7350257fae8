package io.rlstream.trainer.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import io.rlstream.model.Generation;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.monitoring.metrics.MetricCatalog;
import io.rlstream.trainer.checkpoint.CheckpointStore;
import io.rlstream.trainer.checkpoint.TrainerState;
import io.rlstream.trainer.core.Objective;
import io.rlstream.trainer.core.PolicyTrainer;
import io.rlstream.trainer.core.StepStats;
import io.rlstream.trainer.core.TrainerConfig;
import io.rlstream.trainer.core.TrainingSample;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainer's guard after a step (DJL trains here): a step with a non-finite update is undone to
 * the checkpoint before it, and non-finite weights are named and never pass the check that comes
 * before a checkpoint is written and published.
 */
class NonFiniteStepTest {

    private static final CharTokenizer TOKENIZER = CharTokenizer.arithmetic();
    private static final int[] PROMPT = TOKENIZER.encodePrompt("12+34=");
    /** Two mini-batches of one row each: the first update goes in before the second meets the NaN. */
    private static final TrainerConfig CONFIG = TrainerConfig.defaults().withWarmupSteps(0).withDecaySteps(0)
            .withUpdatesPerBatch(1).withLearningRate(1e-2).withObjective(Objective.defaults().withMiniBatches(2));

    @Test
    void aStepWhoseSecondUpdateIsNonFiniteIsUndoneToTheCheckpointBeforeIt(@TempDir Path dir) {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 5)) {
            PolicyTrainer trainer = new PolicyTrainer(policy, CONFIG);
            List<Generation> g = policy.sample(List.of(PROMPT, PROMPT), 4, 1f, 3);
            TrainingSample a = new TrainingSample(PROMPT, g.get(0).tokens(), g.get(0).logprobs(), 1f, false);
            TrainingSample b = new TrainingSample(PROMPT, g.get(1).tokens(), g.get(1).logprobs(), -1f, false);
            // (advantage > 0: with A < 0 the dual clip's comparison can route a NaN token to its constant branch)
            TrainingSample poisoned = new TrainingSample(PROMPT, g.get(1).tokens(), nans(g.get(1).logprobs().length),
                    1f, false);
            trainer.rlStep(List.of(a, b));
            // version 1 as the service writes it: weights and Adam's state
            CheckpointStore store = new CheckpointStore(dir);
            Path v1 = store.write(policy, new TrainerState("p", 1, 1, List.of(), Map.of(), 0L), Map.of(),
                    trainer.optimizer(), Map.of());
            float[][] saved = weights(policy);
            long steps = trainer.optimizerSteps();
            assertEquals(2, steps);

            long skipped = trainer.skippedUpdates();
            StepStats stats = trainer.rlStep(List.of(a, poisoned));
            // the sound first mini-batch was applied, the second skipped: half a batch trained
            assertEquals(steps + 1, trainer.optimizerSteps());
            assertEquals(skipped + 1, trainer.skippedUpdates());
            assertFalse(Arrays.deepEquals(saved, weights(policy)), "the first update moved the weights");
            Optional<String> nonFinite = TrainerService.nonFinite(trainer, skipped,
                    Map.of(MetricCatalog.TRAINER_LOSS, stats.loss()));
            assertTrue(nonFinite.orElseThrow().startsWith("1 update(s) skipped for a non-finite gradient"),
                    nonFinite.get());

            TrainerService.restore(trainer, v1);
            float[][] restored = weights(policy);
            for (int p = 0; p < saved.length; p++) {
                assertArrayEquals(saved[p], restored[p], 0f, "parameter " + p + " is version 1's again");
            }
            assertEquals(steps, trainer.optimizerSteps(), "Adam's state is version 1's again");

            // and the next batch trains as a trainer resumed from version 1 (Policy.load + its optimizer) trains it
            trainer.rlStep(List.of(a, b));
            try (Policy resumed = Policy.load(v1)) {
                PolicyTrainer other = new PolicyTrainer(resumed, CONFIG);
                other.loadOptimizer(CheckpointStore.optimizerFile(v1).orElseThrow());
                other.rlStep(List.of(a, b));
                float[][] expected = weights(resumed);
                float[][] actual = weights(policy);
                for (int p = 0; p < expected.length; p++) {
                    assertArrayEquals(expected[p], actual[p], 1e-6f, "parameter " + p);
                }
            }
        }
    }

    @Test
    void nonFiniteWeightsAreNamedWithTheirCount() {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 5)) {
            PolicyTrainer trainer = new PolicyTrainer(policy, CONFIG);
            assertEquals(Optional.empty(), TrainerService.nonFinite(trainer, 0, Map.of(MetricCatalog.TRAINER_LOSS, 0.5)));
            var parameter = policy.parameters().get(1);
            NDArray array = parameter.getValue().getArray();
            float[] w = array.toFloatArray();
            w[0] = Float.NaN;
            w[w.length - 1] = Float.NEGATIVE_INFINITY;
            array.set(FloatBuffer.wrap(w));
            assertEquals(Optional.of(parameter.getKey() + " (2 of " + w.length + " values non-finite)"),
                    trainer.nonFiniteParameter());
            assertEquals(TrainerService.NON_FINITE_WEIGHTS + ": " + parameter.getKey() + " (2 of " + w.length
                    + " values non-finite)", TrainerService.nonFinite(trainer, 0, Map.of()).orElseThrow());
            // a finite loss does not hide them; a NaN loss is named too
            assertEquals("loss NaN, " + TrainerService.NON_FINITE_WEIGHTS + ": " + parameter.getKey() + " (2 of "
                    + w.length + " values non-finite)", TrainerService.nonFinite(trainer, 0,
                            Map.of(MetricCatalog.TRAINER_LOSS, Double.NaN)).orElseThrow());
        }
    }

    private static float[] nans(int n) {
        float[] out = new float[n];
        Arrays.fill(out, Float.NaN);
        return out;
    }

    private static float[][] weights(Policy policy) {
        List<float[]> out = new ArrayList<>();
        policy.parameters().forEach(p -> out.add(p.getValue().getArray().toFloatArray()));
        return out.toArray(float[][]::new);
    }
}
