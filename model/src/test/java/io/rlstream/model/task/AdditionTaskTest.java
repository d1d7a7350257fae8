package io.rlstream.model.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AdditionTaskTest {

    @Test
    void splitsAreDisjointCoverAllPairsAndAreStable() {
        AdditionTask task = AdditionTask.standard();
        assertEquals(500, task.heldOut().size());
        assertEquals(90 * 90 - 500, task.train().size());
        Set<String> ids = new HashSet<>();
        task.train().forEach(p -> ids.add(p.id()));
        task.heldOut().forEach(p -> assertTrue(ids.add(p.id()), "held-out " + p + " is in train"));
        assertEquals(90 * 90, ids.size());
        assertEquals(task.heldOut(), AdditionTask.standard().heldOut());
    }

    @Test
    void problemsSayWhatTheyAsk() {
        List<Problem> all = AdditionTask.standard().train();
        for (Problem p : all) {
            String[] operands = p.prompt().substring(0, p.prompt().length() - 1).split("\\+");
            int sum = Integer.parseInt(operands[0]) + Integer.parseInt(operands[1]);
            assertEquals(Integer.toString(sum), p.answer());
            assertEquals("add-" + operands[0] + "-" + operands[1], p.id());
        }
    }
}
