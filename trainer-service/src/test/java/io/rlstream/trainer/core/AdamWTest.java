package io.rlstream.trainer.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.model.TokenLogprobs;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdamWTest {

    private static final Shape SHAPE = new Shape(2, 3);
    private static final float[] START = {0.5f, -0.25f, 1.0f, 0.0f, -1.5f, 0.125f};

    /** A gradient that changes sign and size from step to step, some entries near ε's scale. */
    private static float[] gradient(int step) {
        float[] g = new float[START.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) (Math.sin(1.3 * step + 0.7 * i) * Math.pow(10, -(i % 4)));
        }
        return g;
    }

    @Test
    void updatesLikeDjlsAdamWUnderTheTrainersScheduleWithWeightDecay() {
        // The optimizer and schedule PolicyTrainer used, with weight decay on to exercise it.
        int warmup = 3;
        int decay = 5;
        float peak = 0.05f;
        float weightDecay = 0.1f;
        Optimizer djl = Optimizer.adamW()
                .optLearningRateTracker(Tracker.warmUp()
                        .setMainTracker(Tracker.cosine().setBaseValue(peak).optFinalValue(peak / 10)
                                .setMaxUpdates(decay).build())
                        .optWarmUpSteps(warmup).optWarmUpBeginValue(0f).build())
                .optWeightDecays(weightDecay)
                .build();
        LearningRateSchedule schedule = new LearningRateSchedule(peak, warmup, decay, 0.1);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            AdamW ours = new AdamW(0.9, 0.999, 1e-8, weightDecay, manager);
            NDArray theirs = manager.create(START, SHAPE);
            NDArray mine = manager.create(START, SHAPE);
            double largest = 0;
            for (int step = 0; step < 12; step++) {
                try (NDManager scope = manager.newSubManager()) {
                    NDArray g = scope.create(gradient(step), SHAPE);
                    djl.update("w", theirs, g);
                    ours.update("w", mine, g, (float) schedule.at(ours.steps()));
                }
                float[] expected = theirs.toFloatArray();
                float[] actual = mine.toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    largest = Math.max(largest, Math.abs(expected[i] - actual[i]));
                    assertEquals(expected[i], actual[i], 1e-6, "step " + step + ", entry " + i);
                }
            }
            assertEquals(12, ours.steps());
            System.out.printf("AdamW vs DJL Optimizer.adamW over 12 steps: largest difference %.3g%n", largest);
            // and the weights did move: this is not two no-ops agreeing
            assertTrue(Math.abs(mine.toFloatArray()[0] - START[0]) > 0.05);
        }
    }

    @Test
    void savedAndLoadedStateContinuesExactlyLikeAnUninterruptedRun(@TempDir Path dir) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            AdamW uninterrupted = new AdamW(0.9, 0.999, 1e-8, 0.01, manager);
            NDArray weight = manager.create(START, SHAPE);
            NDArray bias = manager.create(new float[] {0.1f, -0.2f});
            for (int step = 0; step < 5; step++) {
                uninterrupted.update("layer.weight", weight, manager.create(gradient(step), SHAPE), 1e-2f);
                uninterrupted.update("layer.bias", bias, manager.create(new float[] {step, -step}), 1e-2f);
            }
            Path file = dir.resolve("optimizer.safetensors");
            uninterrupted.save(file);

            AdamW restarted = new AdamW(0.9, 0.999, 1e-8, 0.01, manager);
            restarted.load(file, manager);
            assertEquals(5, restarted.steps());
            assertEquals(Set.of("layer.bias", "layer.weight"), restarted.parameterNames());

            NDArray copy = weight.duplicate();
            NDArray g = manager.create(gradient(5), SHAPE);
            uninterrupted.update("layer.weight", weight, g, 1e-2f);
            restarted.update("layer.weight", copy, g, 1e-2f);
            assertArrayEquals(weight.toFloatArray(), copy.toFloatArray(), 0f);

            // a fresh optimizer would have taken a different (full-size, first-step) update
            NDArray fresh = copy.duplicate();
            NDArray resumed = copy.duplicate();
            new AdamW(0.9, 0.999, 1e-8, 0.01, manager).update("layer.weight", fresh, g, 1e-2f);
            restarted.update("layer.weight", resumed, g, 1e-2f);
            assertTrue(Math.abs(fresh.toFloatArray()[0] - resumed.toFloatArray()[0]) > 1e-4);
        }
    }

    @Test
    void anUpdateLeavesNoArrayBehindAndMomentsLiveInTheGivenManager() {
        try (NDManager parameters = NDManager.newBaseManager("PyTorch");
                NDManager optimizerState = NDManager.newBaseManager("PyTorch")) {
            NDArray weight = parameters.create(START, SHAPE);
            NDArray g = parameters.create(gradient(0), SHAPE);
            AdamW adamW = new AdamW(0.9, 0.999, 1e-8, 0.1, optimizerState);
            int before = parameters.getManagedArrays().size();
            for (int step = 0; step < 5; step++) {
                adamW.update("w", weight, g, 1e-3f);
            }
            assertEquals(before, parameters.getManagedArrays().size());
            assertEquals(parameters, weight.getManager());
            assertEquals(parameters, g.getManager());
            assertEquals(2, optimizerState.getManagedArrays().size());
            adamW.close();
            assertEquals(0, adamW.steps());
        }
    }

    @Test
    void stateOfAnotherShapeIsRefusedWithTheParameterNamed(@TempDir Path dir) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            AdamW saved = new AdamW(0.9, 0.999, 1e-8, 0, manager);
            saved.update("w", manager.zeros(new Shape(4)), manager.ones(new Shape(4)), 1e-3f);
            saved.save(dir.resolve("opt.safetensors"));
            AdamW loaded = new AdamW(0.9, 0.999, 1e-8, 0, manager);
            loaded.load(dir.resolve("opt.safetensors"), manager);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loaded.update("w", manager.zeros(SHAPE), manager.ones(SHAPE), 1e-3f));
            assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("(4)"), e.getMessage());
        }
    }

    @Test
    void aFileItDidNotWriteIsRefused(@TempDir Path dir) throws Exception {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray stray = manager.ones(new Shape(2));
            stray.setName("model.weight");
            NDArray lonelyMean = manager.ones(new Shape(2));
            lonelyMean.setName("m.w");
            Path file = dir.resolve("weights.safetensors");
            try (OutputStream out = Files.newOutputStream(file)) {
                new NDList(stray, lonelyMean).encode(out, NDList.Encoding.SAFETENSORS);
            }
            AdamW adamW = new AdamW(0.9, 0.999, 1e-8, 0, manager);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> adamW.load(file, manager));
            assertTrue(e.getMessage().contains("unexpected tensor 'model.weight'"), e.getMessage());
            assertTrue(e.getMessage().contains("lacks v.w"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> adamW.load(dir.resolve("absent"), manager));
        }
    }

    @Test
    void anEmptyOptimizerSavesAndLoadsAsEmpty(@TempDir Path dir) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            new AdamW(0.9, 0.999, 1e-8, 0).save(dir.resolve("opt.safetensors"));
            AdamW loaded = new AdamW(0.9, 0.999, 1e-8, 0);
            loaded.load(dir.resolve("opt.safetensors"), manager);
            assertEquals(0, loaded.steps());
            assertEquals(List.of(), List.copyOf(loaded.parameterNames()));
        }
    }

    @Test
    void onAPolicysParametersTrainsLikeDjlsAdamWStepForStep() {
        // The trainer's situation: leaf parameters that require gradients, gradients from a
        // backward pass, moments in the model's manager. Two identical policies, one per optimizer.
        CharTokenizer tokenizer = CharTokenizer.arithmetic();
        PolicyConfig small = new PolicyConfig(tokenizer.vocabSize(), 16, 32, 1, 2, 64);
        List<int[]> prompts = List.of(tokenizer.encodePrompt("12+34="), tokenizer.encodePrompt("5+7="));
        List<int[]> targets = List.of(new int[] {tokenizer.encode("4")[0], CharTokenizer.EOS},
                new int[] {tokenizer.encode("1")[0], tokenizer.encode("2")[0], CharTokenizer.EOS});
        try (Policy theirs = Policy.create(small, 9); Policy mine = Policy.create(small, 9)) {
            Optimizer djl = Optimizer.adamW().optLearningRateTracker(Tracker.fixed(1e-2f)).optWeightDecays(0.01f).build();
            AdamW ours = new AdamW(0.9, 0.999, 1e-8, 0.01);
            for (int step = 0; step < 4; step++) {
                backward(theirs, prompts, targets);
                backward(mine, prompts, targets);
                for (Pair<String, Parameter> p : theirs.parameters()) {
                    NDArray weight = p.getValue().getArray();
                    djl.update(p.getKey(), weight, weight.getGradient());
                }
                for (Pair<String, Parameter> p : mine.parameters()) {
                    NDArray weight = p.getValue().getArray();
                    try (NDManager scope = mine.newScope()) {
                        NDArray gradient = weight.getGradient();
                        gradient.attach(scope);
                        ours.update(p.getKey(), weight, gradient, 1e-2f);
                        gradient.subi(gradient);
                    }
                }
            }
            assertEquals(4, ours.steps());
            for (Pair<String, Parameter> p : theirs.parameters()) {
                float[] expected = p.getValue().getArray().toFloatArray();
                float[] actual = mine.parameters().get(p.getKey()).getArray().toFloatArray();
                assertArrayEquals(expected, actual, 1e-5f, p.getKey());
            }
            assertArrayEquals(theirs.greedy(prompts, 3).get(1).tokens(), mine.greedy(prompts, 3).get(1).tokens());
        }
    }

    private static void backward(Policy policy, List<int[]> prompts, List<int[]> targets) {
        try (NDManager scope = policy.newScope();
                GradientCollector collector = policy.model().getNDManager().getEngine().newGradientCollector()) {
            TokenLogprobs scored = policy.responseLogprobs(scope, prompts, targets, 1f, true);
            collector.backward(scored.logprobs().sum().neg().div(scored.mask().sum()));
        }
    }
}
