package io.rlstream.trainer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.rlstream.model.Generation;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.model.folder.ModelInit;
import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.safetensors.Dtype;
import io.rlstream.model.task.AdditionTask;
import io.rlstream.model.task.Problem;
import io.rlstream.testkit.TwoDigitTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The full recipe takes tens of seconds and is measured by {@link RecipeExperiment}. */
class WarmStartTest {

    @TempDir
    Path tmp;

    @Test
    void stopsAtTheStepCapWhenTheTargetIsOutOfReach() {
        AdditionTask task = AdditionTask.standard();
        try (Policy policy = Policy.create(PolicyConfig.demo(), 1)) {
            WarmStart.Recipe recipe = new WarmStart.Recipe(64, 32, 16, 1e-3, 1.01, 5, 10);
            WarmStart.Result result = WarmStart.run(policy, recipe, task.train(), 1);
            assertEquals(10, result.steps());
            assertTrue(Double.isFinite(result.loss()));
            assertTrue(result.probeAccuracy() >= 0 && result.probeAccuracy() <= 1);
        }
    }

    @Test
    void refusesARecipeLargerThanTheTrainingSplit() {
        try (Policy policy = Policy.create(PolicyConfig.demo(), 1)) {
            WarmStart.Recipe recipe = new WarmStart.Recipe(10, 10, 4, 1e-3, 0.2, 5, 10);
            assertThrows(IllegalArgumentException.class, () -> WarmStart.run(policy, recipe,
                    AdditionTask.standard().train().subList(0, 15), 1));
        }
    }

    /**
     * A model folder with a tokenizer that is not the demo's ({@link TwoDigitTokenizer}: two-digit
     * tokens, BOS 103, EOS 104): the warm start must teach the answers in that tokenizer's ids,
     * ended by the model's EOS. Eight problems are both the subset and the probe, so the run stops
     * once it has learned them; the greedy outputs are then checked against ids computed by hand.
     */
    @Test
    void teachesAnswersInTheModelsOwnTokensEndedByItsEos() throws Exception {
        Path model = tmp.resolve("model");
        new ModelInit(DecoderArchitecture.LLAMA, 2, 64, 4, 4, 128, null, null, false, 3, Dtype.F32)
                .write(TwoDigitTokenizer.write(tmp.resolve("tokenizer")).toString(), model);
        List<Problem> eight = AdditionTask.standard().train().subList(0, 8);
        List<Problem> train = new ArrayList<>(eight);
        train.addAll(eight);
        try (Policy policy = Policy.load(model)) {
            WarmStart.Recipe recipe = new WarmStart.Recipe(8, 8, 8, 3e-3, 1.0, 5, 400);
            WarmStart.Result result = WarmStart.run(policy, recipe, train, 1);
            assertEquals(1.0, result.probeAccuracy(), "learned the eight problems within 400 steps: " + result);

            List<int[]> prompts = new ArrayList<>();
            for (Problem p : eight) {
                String[] ab = p.prompt().substring(0, p.prompt().length() - 1).split("\\+");
                // BOS, a, '+', b, '=' by the tokenizer's rules
                prompts.add(new int[] {TwoDigitTokenizer.BOS, TwoDigitTokenizer.twoDigits(Integer.parseInt(ab[0])),
                        TwoDigitTokenizer.PLUS, TwoDigitTokenizer.twoDigits(Integer.parseInt(ab[1])),
                        TwoDigitTokenizer.EQUALS});
            }
            List<Generation> out = policy.greedy(prompts, 3);
            for (int i = 0; i < eight.size(); i++) {
                int sum = Integer.parseInt(eight.get(i).answer());
                int[] expected = sum < 100 ? new int[] {TwoDigitTokenizer.twoDigits(sum), TwoDigitTokenizer.EOS}
                        : new int[] {TwoDigitTokenizer.twoDigits(sum / 10), TwoDigitTokenizer.digit(sum % 10),
                                TwoDigitTokenizer.EOS};
                assertArrayEquals(expected, out.get(i).tokens(), eight.get(i).toString());
            }
        }
    }
}
