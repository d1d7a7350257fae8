package io.rlstream.processors.curriculum;

import static io.rlstream.processors.curriculum.Prompts.outcome;
import static io.rlstream.processors.curriculum.Prompts.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PassRateWindowSelectorTest {

    private static Set<String> chosen(PromptSelector s, PromptPool pool, int m, long seed) {
        return s.choose(m, pool, Prompts.NONE_IN_FLIGHT, new Random(seed)).stream().map(c -> c.prompt().getPromptId()).collect(Collectors.toSet());
    }

    @Test
    void withoutExplorationPromptsOutsideTheWindowAreSkippedAndUnseenOnesGo() {
        PassRateWindowSelector s = new PassRateWindowSelector(0.05, 0.95, 0.0);
        PromptPool pool = pool("easy", "mid1", "mid2", "hard", "new");
        s.observe(outcome("easy", 1.0), null);   // above 0.95: learnt, teaches nothing
        s.observe(outcome("hard", 0.0), null);   // below 0.05
        s.observe(outcome("mid1", 0.5), null);
        s.observe(outcome("mid2", 0.05), null);  // the bounds are inside
        assertEquals(Set.of("mid1", "mid2", "new"), chosen(s, pool, 200, 1));
        assertEquals("in-window", s.view("mid2", null).pool());
        assertEquals("above-window", s.view("easy", null).pool());
        assertEquals("below-window", s.view("hard", null).pool());
        assertEquals("unseen", s.view("new", null).pool());
        assertEquals(0.5, s.view("mid1", null).estimate(), 1e-12);
    }

    @Test
    void onePassOverThePoolDispatchesEachPromptOnce() {
        PassRateWindowSelector s = new PassRateWindowSelector(0.05, 0.95, 0.0);
        List<String> ids = s.choose(6, pool("a", "b", "c", "d", "e", "f"), Prompts.NONE_IN_FLIGHT, new Random(8)).stream()
                .map(c -> c.prompt().getPromptId()).sorted().toList();
        assertEquals(List.of("a", "b", "c", "d", "e", "f"), ids);
        assertEquals(1.0, s.metrics().get("passes"));
    }

    @Test
    void explorationRechecksItsShareOfThePromptsOutsideTheWindow() {
        // explore 0.25: each visit of the prompt above the window dispatches it with probability 0.25;
        // over n visits the share has sd sqrt(0.25 * 0.75 / n)
        PassRateWindowSelector s = new PassRateWindowSelector(0.05, 0.95, 0.25);
        PromptPool pool = pool("in", "out");
        s.observe(outcome("in", 0.5), null);
        s.observe(outcome("out", 1.0), null);
        s.choose(4000, pool, Prompts.NONE_IN_FLIGHT, new Random(3));
        double outside = s.metrics().get("chosen_outside_window");
        double visits = outside + s.metrics().get("skipped");
        double sd = Math.sqrt(0.25 * 0.75 / visits);
        assertTrue(Math.abs(outside / visits - 0.25) < 4 * sd, outside + " of " + visits + " visits");
        assertEquals(4000.0, outside + s.metrics().get("chosen_in_window"));
    }

    @Test
    void aPromptLeavesTheWindowWhenThePolicyHasLearntIt() {
        PassRateWindowSelector s = new PassRateWindowSelector(0.05, 0.95, 0.0);
        PromptPool pool = pool("a", "b");
        s.observe(outcome("a", 0.5), null);
        s.observe(outcome("b", 0.5), null);
        s.observe(outcome("a", 0.97), null);
        assertEquals(Set.of("b"), chosen(s, pool, 100, 2));
        assertEquals("above-window", s.view("a", null).pool());
    }

    @Test
    void withNothingInTheWindowAndNothingUnseenItFallsBackToUniformAndCountsIt() {
        PassRateWindowSelector s = new PassRateWindowSelector(0.05, 0.95, 0.0);
        PromptPool pool = pool("a", "b");
        s.observe(outcome("a", 1.0), null);
        s.observe(outcome("b", 0.0), null);
        assertEquals(Set.of("a", "b"), chosen(s, pool, 100, 4));
        assertEquals(100.0, s.metrics().get("chosen_fallback"));
    }

    @Test
    void promptsInFlightArePassedOverWhileOthersAreThere() {
        PassRateWindowSelector s = new PassRateWindowSelector(0.05, 0.95, 0.0);
        PromptPool pool = pool("a", "b");
        s.observe(outcome("a", 0.5), null);
        s.observe(outcome("b", 0.5), null);
        assertEquals(Set.of("b"), s.choose(50, pool, id -> id.equals("a"), new Random(6)).stream()
                .map(c -> c.prompt().getPromptId()).collect(Collectors.toSet()));
        // the latest group decides: one all-right group takes a out of the window at once
        s.observe(outcome("a", 1.0), null);
        assertEquals("above-window", s.view("a", null).pool());
    }

    @Test
    void promptsRemovedFromThePoolAreNeverChosen() {
        PassRateWindowSelector s = new PassRateWindowSelector(0.05, 0.95, 0.0);
        PromptPool pool = pool("a", "b");
        s.observe(outcome("a", 0.5), null);
        s.observe(outcome("b", 0.5), null);
        pool.remove("a");
        assertEquals(Set.of("b"), chosen(s, pool, 50, 5));
    }

    @Test
    void invalidWindowsAreRejectedWithTheValues() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new PassRateWindowSelector(0.6, 0.4, 0))
                .getMessage().contains("[0.6, 0.4]"));
        assertThrows(IllegalArgumentException.class, () -> new PassRateWindowSelector(0, 1, 1.5));
    }

    @Test
    void theRegistryBuildsEverySelectorByName() {
        for (String name : PromptSelectors.FAMILY.names()) {
            assertEquals(name, PromptSelectors.FAMILY.create(name, SelectorOptions.defaults()).name());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PromptSelectors.FAMILY.create("x", SelectorOptions.defaults()))
                .getMessage().contains("pcl"));
        assertEquals(List.of("uniform", "pass-rate-window", "difficulty-pools", "pcl"), PromptSelectors.FAMILY.names());
        assertEquals(Map.of("chosen", 0.0, "seen_prompts", 0.0), new UniformSelector().metrics());
    }
}
