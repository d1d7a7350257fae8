package io.rlstream.processors.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.processors.advantage.AdvantageEstimators;
import io.rlstream.processors.advantage.Grpo;
import io.rlstream.processors.curriculum.PromptSelectors;
import io.rlstream.processors.dispatch.DispatchSettings;
import io.rlstream.processors.filter.DynamicSampling;
import io.rlstream.processors.filter.GroupFilters;
import io.rlstream.processors.filter.NonEmpty;
import io.rlstream.processors.filtration.BatchReweightings;
import io.rlstream.processors.filtration.KeepAll;
import io.rlstream.processors.filtration.PolicyFiltrations;
import io.rlstream.processors.filtration.PowReweighting;
import io.rlstream.processors.grouping.GroupingApp;
import io.rlstream.processors.grouping.GroupingSettings;
import io.rlstream.testkit.AlgorithmSettings;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ProcessorsConfigTest {

    @Test
    void defaultsMatchTheDesign() {
        ProcessorsConfig c = new ProcessorsConfig(Map.of());
        GroupingSettings g = GroupingSettings.from(c);
        assertEquals("grpo", g.estimatorName());
        Grpo grpo = assertInstanceOf(Grpo.class, g.estimator());
        assertEquals(Grpo.Std.SAMPLE, grpo.std());
        assertEquals(1e-6, grpo.epsilon());
        assertInstanceOf(DynamicSampling.class, g.filter());
        assertInstanceOf(KeepAll.class, g.filtration());
        assertTrue(g.reweighting().isEmpty(), "no PF-PPO resampling by default");
        assertEquals(16, g.batchGroups());
        assertEquals("rlstream-processors", g.batchIdPrefix());
        assertEquals(new DispatchSettings(8, 32, 1.0f, 5, 42, 1), DispatchSettings.from(c));
    }

    @Test
    void environmentOverridesAndOptionsReachTheSettings() {
        ProcessorsConfig c = ProcessorsConfig.load(null, Map.of(
                "RLSTREAM_ADVANTAGE_STD", "population",
                "RLSTREAM_BATCH_GROUPS", "4",
                "RLSTREAM_DISPATCH_MAX_IN_FLIGHT_GROUPS", "64",
                "RLSTREAM_PROCESSORS_APPLICATION_ID", "run-7"));
        assertEquals(Grpo.Std.POPULATION, ((Grpo) c.estimator()).std());
        assertEquals(4, GroupingSettings.from(c).batchGroups());
        assertEquals("run-7", GroupingSettings.from(c).batchIdPrefix());
        assertEquals(64, DispatchSettings.from(c).maxInFlightGroups());
    }

    @Test
    void invalidValuesAreRejectedWithTheKeyAndTheAllowedValues() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ProcessorsConfig(Map.of("advantage.estimator", "gae")));
        assertTrue(e.getMessage().contains("advantage.estimator") && e.getMessage().contains("grpo"), e.getMessage());
        assertThrows(ConfigException.class, () -> new ProcessorsConfig(Map.of("batch.groups", "0")));
        assertThrows(ConfigException.class, () -> new ProcessorsConfig(Map.of("advantage.std", "biased")));
        assertThrows(ConfigException.class, () -> new ProcessorsConfig(Map.of("filter.pf-ppo", "best-of-3")));
        assertThrows(ConfigException.class, () -> new ProcessorsConfig(Map.of("filter.max-staleness", "-2")));
        ConfigException tooMany = assertThrows(ConfigException.class,
                () -> new ProcessorsConfig(Map.of("group.size", "4", "group.min-samples", "5")));
        assertTrue(tooMany.getMessage().contains("group.min-samples"), tooMany.getMessage());
    }

    @Test
    void batchTokensAreInlineByDefaultAndReferenceOnRequest() {
        assertEquals(io.rlstream.events.BatchTokens.INLINE, GroupingSettings.from(new ProcessorsConfig(Map.of())).batchTokens());
        assertEquals(io.rlstream.events.BatchTokens.REFERENCE,
                GroupingSettings.from(new ProcessorsConfig(Map.of("batch.tokens", "reference"))).batchTokens());
        // and survives the settings' other with-methods
        assertEquals(io.rlstream.events.BatchTokens.REFERENCE, GroupingSettings.from(new ProcessorsConfig(
                Map.of("batch.tokens", "reference"))).withBatchGroups(2).withPreferencePairs(false).batchTokens());
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ProcessorsConfig(Map.of("batch.tokens", "positions")));
        assertTrue(e.getMessage().contains("batch.tokens") && e.getMessage().contains("reference"), e.getMessage());
    }

    @Test
    void noneIsAnOrdinaryValueOfTheGroupFilterAndTheReweighting() {
        GroupingSettings g = GroupingSettings.from(new ProcessorsConfig(Map.of("filter.group", "none",
                "filter.pf-ppo", "best-worst", "filter.pf-ppo-reweight", "pow")));
        assertInstanceOf(NonEmpty.class, g.filter());
        assertEquals("best-worst", g.filtrationName());
        assertInstanceOf(PowReweighting.class, g.reweighting().orElseThrow());
    }

    /** Each setting that chooses an algorithm accepts exactly its family's names, and the docs list them. */
    @Test
    void algorithmSettingsAreValidatedByTheirFamilies() {
        AlgorithmSettings.assertValidatedByFamilies(ProcessorsConfig.DEFINITION, ProcessorsConfig::new, List.of(
                AdvantageEstimators.FAMILY, GroupFilters.FAMILY,
                PolicyFiltrations.FAMILY, BatchReweightings.FAMILY, PromptSelectors.FAMILY));
    }

    @Test
    void streamsRunExactlyOnceWithThePassThroughClientSettings() {
        ProcessorsConfig c = new ProcessorsConfig(Map.of("bootstrap.servers", "broker:9092",
                "kafka.security.protocol", "SSL", "processors.commit.interval.ms", "250"));
        Properties p = GroupingApp.streamsProperties(c);
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        assertEquals("rlstream-processors", p.get(StreamsConfig.APPLICATION_ID_CONFIG));
        assertEquals("broker:9092", p.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        assertEquals("SSL", p.get("security.protocol"));
        assertEquals(250L, p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
        new StreamsConfig(p); // Kafka Streams accepts them
    }

    /** Issue 15, fix 5: a temperature of 0 made the worker dead-letter every dispatch; now the start is refused. */
    @Test
    void aSamplingTemperatureOfZeroIsRejectedAtStart() {
        org.apache.kafka.common.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.apache.kafka.common.config.ConfigException.class,
                () -> new ProcessorsConfig(java.util.Map.of(ProcessorsConfig.TEMPERATURE, "0")));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(ProcessorsConfig.TEMPERATURE), e.getMessage());
    }
}
