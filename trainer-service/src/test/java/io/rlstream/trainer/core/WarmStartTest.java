package io.rlstream.trainer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.model.task.AdditionTask;
import org.junit.jupiter.api.Test;

/** The full recipe takes tens of seconds and is measured by {@link RecipeExperiment}. */
class WarmStartTest {

    @Test
    void stopsAtTheStepCapWhenTheTargetIsOutOfReach() {
        AdditionTask task = AdditionTask.standard();
        try (Policy policy = Policy.create(PolicyConfig.demo(), 1)) {
            WarmStart.Recipe recipe = new WarmStart.Recipe(64, 32, 16, 1e-3, 1.01, 5, 10);
            WarmStart.Result result = WarmStart.run(policy, recipe, task.train(),
                    CharTokenizer.arithmetic(), 1);
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
                    AdditionTask.standard().train().subList(0, 15), CharTokenizer.arithmetic(), 1));
        }
    }
}
