package io.rlstream.processors.curriculum;

import static io.rlstream.processors.curriculum.Prompts.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** PCL's selection rule and grading with a value model whose predictions are fixed by the test. */
class PclSelectorTest {

    /** V(x) from a table; records its updates. */
    static final class TableModel implements ValueModel {
        final Map<String, Double> values;
        final List<String> updates = new ArrayList<>();
        long version = -1;

        TableModel(Map<String, Double> values) {
            this.values = values;
        }

        @Override
        public double predict(String text) {
            return values.get(text);
        }

        @Override
        public void update(String text, double target, long policyVersion) {
            updates.add(text + "->" + target + "@" + policyVersion);
            version = Math.max(version, policyVersion);
        }

        @Override
        public long updates() {
            return updates.size();
        }

        @Override
        public long policyVersion() {
            return version;
        }
    }

    private static final Map<String, Double> V = Map.of("a", 0.1, "b", 0.45, "c", 0.6, "d", 0.95);

    @Test
    void ofKTimesMCandidatesTheMClosestToTauAreDispatched() {
        // k·m = 4·2 = 8 >= the pool of 4, so every prompt is a candidate: |V − 0.5| = 0.4, 0.05, 0.1, 0.45 -> b, c
        PclSelector s = new PclSelector(new TableModel(V), 4, 0.5);
        List<Choice> choices = s.choose(2, pool("a", "b", "c", "d"), Prompts.NONE_IN_FLIGHT, new Random(1));
        assertEquals(List.of("b", "c"), choices.stream().map(c -> c.prompt().getPromptId()).toList());
        assertEquals(0.45, choices.get(0).view().prediction(), 1e-12);
        // with tau 0.9 the closest are d (0.05) then c (0.3)
        PclSelector high = new PclSelector(new TableModel(V), 4, 0.9);
        assertEquals(List.of("d", "c"), high.choose(2, pool("a", "b", "c", "d"), Prompts.NONE_IN_FLIGHT, new Random(1)).stream()
                .map(c -> c.prompt().getPromptId()).toList());
    }

    @Test
    void promptsInFlightAreNotCandidates() {
        // b (0.45) is being generated: of a, c, d the closest to 0.5 are c (0.1 away) and a (0.4)
        PclSelector s = new PclSelector(new TableModel(V), 4, 0.5);
        assertEquals(List.of("c", "a"), s.choose(2, pool("a", "b", "c", "d"), id -> id.equals("b"), new Random(1))
                .stream().map(c -> c.prompt().getPromptId()).toList());
    }

    @Test
    void withOneCandidatePerPickItIsUniform() {
        // k = 1: the candidates are m distinct uniform draws, all dispatched whatever V says
        PclSelector s = new PclSelector(new TableModel(V), 1, 0.5);
        List<String> ids = s.choose(4, pool("a", "b", "c", "d"), Prompts.NONE_IN_FLIGHT, new Random(2)).stream()
                .map(c -> c.prompt().getPromptId()).sorted().toList();
        assertEquals(List.of("a", "b", "c", "d"), ids);
    }

    @Test
    void eachGroupIsGradedAgainstItsPredictionAndTrainsTheModel() {
        TableModel model = new TableModel(V);
        PclSelector s = new PclSelector(model, 4, 0.5);
        PromptPool pool = pool("a", "b", "c", "d");
        Choice b = s.choose(1, pool, Prompts.NONE_IN_FLIGHT, new Random(1)).get(0);
        assertEquals("b", b.prompt().getPromptId());
        s.dispatched("g1", b);
        // the group's mean reward is 0.75: V said 0.45 -> error 0.30; the baseline (no group seen yet: tau 0.5) -> 0.25
        s.observe(new GroupOutcome("b", "g1", 1, 0.75, 0.75, 8, 3), pool.get("b"));
        assertEquals(0.30, s.predictionError().mae(), 1e-12);
        assertEquals(0.25, s.predictionError().baselineMae(), 1e-12);
        assertEquals(List.of("b->0.75@3"), model.updates);
        assertEquals(0.30, s.view("b", "b").predictionError(), 1e-12);
        assertEquals(3, s.view("b", "b").valueModelPolicyVersion());

        // a second group, of c: V 0.6, mean reward 1.5 clamped to 1 -> error 0.4; baseline now 0.75 -> 0.25
        Choice c = new Choice(pool.get("c"), s.view("c", "c"));
        s.dispatched("g2", c);
        s.observe(new GroupOutcome("c", "g2", 1, 1.0, 1.5, 8, 4), pool.get("c"));
        assertEquals((0.30 + 0.40) / 2, s.predictionError().mae(), 1e-12);
        assertEquals(0.25, s.predictionError().baselineMae(), 1e-12);
        assertEquals("c->1.0@4", model.updates.get(1));

        // a group nobody predicted (dispatched before a restart) trains V but is not graded;
        // one without usable samples does neither
        s.observe(new GroupOutcome("a", "old", 1, 0.0, 0.0, 8, 4), pool.get("a"));
        s.observe(new GroupOutcome("d", "g3", 1, 0.0, null, 0, 4), pool.get("d"));
        assertEquals(2, s.predictionError().count());
        assertEquals(3, model.updates());
        assertNull(s.view("a", "a").predictionError());
        assertEquals(2.0, s.metrics().get("value_graded_groups"));
    }

    @Test
    void optionsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new PclSelector(new TableModel(V), 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new PclSelector(new TableModel(V), 4, 1.5));
    }
}
