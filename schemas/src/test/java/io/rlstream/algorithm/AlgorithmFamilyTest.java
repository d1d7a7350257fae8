package io.rlstream.algorithm;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/** A toy family of reward shapings, scale factor as options, with "none" as an ordinary entry. */
class AlgorithmFamilyTest {

    private static final AlgorithmFamily<Double, DoubleUnaryOperator> SHAPINGS =
            AlgorithmFamily.<Double, DoubleUnaryOperator>builder("reward shapings", "shaping", "scales a reward",
                            "reward-shapings")
                    .add("none", "r", "identity", DoubleUnaryOperator.class, k -> r -> r)
                    .add("scale", "k*r", "Doe et al. 2020", Double.class, k -> r -> k * r)
                    .add("clip|abs", "min(|r|, k)", "verl compute_x", Math.class, k -> r -> Math.min(Math.abs(r), k))
                    .build();

    @Test
    void createsTheNamedEntryWithTheOptions() {
        assertEquals(6.0, SHAPINGS.create("scale", 3.0).applyAsDouble(2.0));
        assertEquals(2.0, SHAPINGS.create("clip|abs", 2.0).applyAsDouble(-5.0));
    }

    @Test
    void noneIsAnOrdinaryEntryThatChangesNothing() {
        assertTrue(SHAPINGS.contains("none"));
        assertEquals(-1.5, SHAPINGS.create("none", 3.0).applyAsDouble(-1.5));
        assertEquals("none", SHAPINGS.names().get(0));
    }

    @Test
    void anUnknownNameNamesTheFamilyTheSettingTheNameAndTheKnownNames() {
        var e = assertThrows(IllegalArgumentException.class, () -> SHAPINGS.create("square", 1.0));
        assertEquals("unknown reward shaping 'square' (shaping); known: none, scale, clip|abs", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SHAPINGS.entry(null));
    }

    @Test
    void aNameDeclaredTwiceIsRefused() {
        var builder = AlgorithmFamily.<Double, DoubleUnaryOperator>builder("reward shapings", "shaping", "d", "a")
                .add("scale", "k*r", "p", Double.class, k -> r -> k * r);
        var e = assertThrows(IllegalArgumentException.class,
                () -> builder.add("scale", "2*k*r", "q", Double.class, k -> r -> 2 * k * r));
        assertTrue(e.getMessage().contains("'scale' is declared twice"), e.getMessage());
    }

    @Test
    void entriesNeedAOneLineFormulaAndASource() {
        assertThrows(IllegalArgumentException.class,
                () -> new Algorithm<Double, Double>("x", "a\nb", "p", Double.class, k -> k));
        assertThrows(IllegalArgumentException.class,
                () -> new Algorithm<Double, Double>("x", "a", " ", Double.class, k -> k));
        assertThrows(IllegalArgumentException.class,
                () -> AlgorithmFamily.builder("empty", "s", "d", "a").build());
    }

    @Test
    void theValidatorAcceptsExactlyTheNamesAndListsThem() {
        ConfigDef.Validator validator = SHAPINGS.validator();
        for (String name : SHAPINGS.names()) {
            assertDoesNotThrow(() -> validator.ensureValid("shaping", name));
        }
        var e = assertThrows(ConfigException.class, () -> validator.ensureValid("shaping", "Scale"));
        assertTrue(e.getMessage().contains("shaping") && e.getMessage().contains("none, scale, clip|abs"),
                e.getMessage());
        assertThrows(ConfigException.class, () -> validator.ensureValid("shaping", null));
        assertEquals("[none, scale, clip|abs]", validator.toString());
    }

    @Test
    void markdownIsOneRowPerEntryInOrderWithPipesAndEmphasisEscaped() {
        List<String> lines = SHAPINGS.markdown().lines().toList();
        assertEquals(List.of(
                "| name | formula | paper | class |",
                "|---|---|---|---|",
                "| `none` | r | identity | `java.util.function.DoubleUnaryOperator` |",
                "| `scale` | k\\*r | Doe et al. 2020 | `java.lang.Double` |",
                "| `clip|abs` | min(\\|r\\|, k) | verl compute\\_x | `java.lang.Math` |"), lines);
    }

    @Test
    void describesItself() {
        assertEquals("reward shapings", SHAPINGS.name());
        assertEquals("shaping", SHAPINGS.setting());
        assertEquals("reward-shapings", SHAPINGS.anchor());
        assertEquals(3, SHAPINGS.entries().size());
        assertEquals("Doe et al. 2020", SHAPINGS.entry("scale").paper());
    }
}
