package io.rlstream.monitoring.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The catalogue: one entry per name, families matched by prefix, every topic the issue names covered, docs/metrics.md current. */
class MetricCatalogTest {

    @Test
    void namesAreUniqueAndFamiliesMatchTheirMembers() {
        Set<String> seen = new HashSet<>();
        for (MetricName e : MetricCatalog.entries()) {
            assertTrue(seen.add(e.name()), "listed twice: " + e.name());
        }
        assertEquals("grouping.groups_dropped_*", MetricCatalog.find("grouping.groups_dropped_equal_rewards")
                .orElseThrow().name());
        assertEquals("trainer.staleness_*", MetricCatalog.find("trainer.staleness_8plus").orElseThrow().name());
        assertEquals("trainer.staleness_mean", MetricCatalog.find("trainer.staleness_mean").orElseThrow().name(),
                "an exact name wins over the family it also matches");
        assertTrue(MetricCatalog.find("trainer.no_such_thing").isEmpty());
    }

    @Test
    void everyKindOfMeasurementTheDashboardsShowIsCatalogued() {
        Set<String> topics = MetricCatalog.entries().stream().map(MetricName::topic).collect(Collectors.toSet());
        for (String topic : new String[] {"rewards", "accuracy", "effective ratio", "drops", "staleness", "KL", "entropy",
                "clip fraction", "importance weights", "losses", "throughput", "lag", "verifier latency"}) {
            assertTrue(topics.contains(topic), "no metric about " + topic);
        }
    }

    @Test
    void familyMembersKeepTheFamilysKindAndOnlyFamiliesTakeASuffix() {
        MetricName dropped = MetricCatalog.GROUPING_GROUPS_DROPPED.withSuffix("equal_rewards");
        assertEquals("grouping.groups_dropped_equal_rewards", dropped.name());
        assertEquals(MetricName.Kind.TOTAL, dropped.kind());
        assertEquals("grouping", dropped.source());
        assertFalse(dropped.isFamily());
        assertEquals(MetricCatalog.GROUPING_GROUPS_DROPPED, MetricCatalog.find(dropped.name()).orElseThrow());
        assertEquals("selector.pass-rate/window", MetricCatalog.SELECTOR.withSuffix("pass-rate/window").name());
        assertThrows(IllegalArgumentException.class, () -> MetricCatalog.REWARD_SCORED.withSuffix("x"),
                "a single metric is not a family");
        assertThrows(IllegalArgumentException.class, () -> MetricCatalog.SELECTOR.withSuffix(""));
        assertEquals("loss", MetricCatalog.TRAINER_LOSS.localName());
    }

    @Test
    void theSourceFollowsTheNamesPrefix() {
        assertEquals("reward-service", MetricCatalog.REWARD_SCORED.source());
        assertEquals("demo", MetricCatalog.EVAL_ACCURACY.source());
        assertEquals("dispatcher", MetricCatalog.SELECTOR.source());
        assertEquals("rollout-worker", MetricCatalog.WORKER_DEAD_LETTERS.source());
        // Every public MetricName constant, read by reflection, is in the list exactly once.
        java.util.List<MetricName> constants = new java.util.ArrayList<>();
        for (java.lang.reflect.Field field : MetricCatalog.class.getDeclaredFields()) {
            if (field.getType() == MetricName.class && java.lang.reflect.Modifier.isPublic(field.getModifiers())
                    && java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                try {
                    constants.add((MetricName) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        assertEquals(constants.size(), MetricCatalog.entries().size(), "every constant is in the list once");
        assertEquals(new java.util.HashSet<>(constants), new java.util.HashSet<>(MetricCatalog.entries()),
                "the list holds exactly the constants");
        assertEquals(MetricCatalog.EVAL_ACCURACY, MetricCatalog.entries().get(0));
    }

    @Test
    void docsHaveTheCurrentCatalogue() throws java.io.IOException {
        // Surefire runs in the module folder. On failure: paste MetricCatalog.markdown() into ../docs/metrics.md.
        String doc = Files.readString(Path.of("../docs/metrics.md"));
        assertTrue(doc.contains(MetricCatalog.markdown()), "docs/metrics.md metric catalogue is out of date");
    }
}
