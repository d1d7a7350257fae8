package io.rlstream.monitoring.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The catalogue: one entry per name, families matched by prefix, every topic the issue names covered, README current. */
class MetricCatalogTest {

    @Test
    void namesAreUniqueAndFamiliesMatchTheirMembers() {
        Set<String> seen = new HashSet<>();
        for (MetricCatalog.Entry e : MetricCatalog.entries()) {
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
        Set<String> topics = MetricCatalog.entries().stream().map(MetricCatalog.Entry::topic).collect(Collectors.toSet());
        for (String topic : new String[] {"rewards", "accuracy", "effective ratio", "drops", "staleness", "KL", "entropy",
                "clip fraction", "importance weights", "losses", "throughput", "lag", "verifier latency"}) {
            assertTrue(topics.contains(topic), "no metric about " + topic);
        }
    }

    @Test
    void readmeHasTheCurrentCatalogue() throws java.io.IOException {
        // Surefire runs in the module folder. On failure: paste MetricCatalog.markdown() into ../README.md.
        String readme = Files.readString(Path.of("../README.md"));
        assertTrue(readme.contains(MetricCatalog.markdown()), "README.md metric catalogue is out of date");
    }
}
