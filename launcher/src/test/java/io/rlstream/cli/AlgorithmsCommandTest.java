package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.algorithm.Algorithm;
import io.rlstream.algorithm.AlgorithmFamily;
import io.rlstream.processors.advantage.AdvantageEstimators;
import io.rlstream.processors.filtration.BatchReweightings;
import io.rlstream.testkit.CommandConsole;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AlgorithmsCommandTest {

    private final CommandConsole console = new CommandConsole();

    private int run(String... args) {
        console.reset();
        return console.run(Rlstream::run, args);
    }

    private String out() {
        return console.out();
    }

    @Test
    void theIndexHoldsEveryFamilyOnceWithDistinctSettingsAndAnchors() {
        List<String> settings = AlgorithmIndex.FAMILIES.stream().map(AlgorithmFamily::setting).toList();
        assertEquals(List.of("advantage.estimator", "filter.group", "filter.pf-ppo", "filter.pf-ppo-reweight",
                "dispatch.selector", "reward.verifier", "trainer.policy.loss", "trainer.loss.aggregation",
                "trainer.kl.estimator", "trainer.offpolicy.correction", "trainer.preference.loss",
                "trainer.group.objective"), settings);
        Set<String> anchors = new HashSet<>();
        AlgorithmIndex.FAMILIES.forEach(f -> assertTrue(anchors.add(f.anchor()), f.anchor()));
    }

    @Test
    void listsEveryFamilyWithItsSettingAnchorAndEveryEntryWithFormulaAndPaper() {
        assertEquals(0, run("algorithms"));
        String text = out();
        for (AlgorithmFamily<?, ?> family : AlgorithmIndex.FAMILIES) {
            assertTrue(text.contains(family.name() + ": " + family.description()), family.name());
            assertTrue(text.contains("setting " + family.setting() + ", docs/algorithms.md#" + family.anchor()),
                    family.name());
            for (Algorithm<?, ?> entry : family.entries()) {
                assertTrue(text.lines().anyMatch(l -> l.startsWith("  " + entry.name() + " ")
                        && l.endsWith(entry.formula())), family.name() + " " + entry.name());
                assertTrue(text.contains(entry.paper() + "; " + entry.implementation().getSimpleName()),
                        family.name() + " " + entry.name());
            }
        }
    }

    @Test
    void markdownIsTheConcatenationOfTheFamiliesTables() {
        assertEquals(0, run("algorithms", "--markdown"));
        StringBuilder expected = new StringBuilder();
        for (AlgorithmFamily<?, ?> family : AlgorithmIndex.FAMILIES) {
            expected.append("<!-- BEGIN generated: ").append(family.anchor()).append(" -->\n")
                    .append(family.markdown()).append("<!-- END generated -->\n\n");
        }
        assertEquals(expected.toString(), out());
        assertTrue(out().contains("| `rloo` | r\\_i - sum\\_{j!=i} r\\_j / (G - 1) |"), out());
    }

    @Test
    void oneFamilyByItsSettingItsAnchorOrItsName() {
        for (String query : List.of("advantage.estimator", "advantage-estimators", "Advantage Estimators")) {
            assertEquals(0, run("algorithms", query), query);
            assertEquals(AlgorithmsCommand.text(List.of(AdvantageEstimators.FAMILY)), out(), query);
        }
        assertEquals(0, run("algorithms", "--markdown", "filter.pf-ppo-reweight"));
        assertEquals(AlgorithmsCommand.markdown(List.of(BatchReweightings.FAMILY)), out());
        assertTrue(out().contains("| `none` |"), "none is listed like any entry");
        assertFalse(out().contains("grpo"));
    }

    @Test
    void helpAndUsageErrors() {
        assertEquals(0, run("algorithms", "--help"));
        assertTrue(out().contains("Usage: rlstream algorithms [-h] [--markdown] [FAMILY-OR-SETTING...]"), out());
        assertEquals(2, run("algorithms", "advantage.estimators"));
        String error = console.err();
        assertTrue(error.contains("no family called 'advantage.estimators'")
                && error.contains("advantage estimators (advantage.estimator)"), error);
        assertEquals(2, run("algorithms", "--json"));
        assertTrue(console.err().contains("unknown flag --json"), console.err());
    }
}
