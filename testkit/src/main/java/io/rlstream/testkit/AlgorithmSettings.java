package io.rlstream.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.algorithm.AlgorithmFamily;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

/** The check each service's config test makes of its settings that choose an algorithm by name. */
public final class AlgorithmSettings {

    private AlgorithmSettings() {}

    /**
     * For each family: its setting in {@code definition} has the family's validator (so the
     * generated docs list its names) and a default the family knows; {@code config} accepts every
     * name of the family; an unknown name is a {@link ConfigException} that names the setting and
     * lists the family's names.
     */
    public static void assertValidatedByFamilies(ConfigDef definition,
            Function<Map<String, String>, ? extends AbstractConfig> config, List<AlgorithmFamily<?, ?>> families) {
        for (AlgorithmFamily<?, ?> family : families) {
            ConfigDef.ConfigKey key = definition.configKeys().get(family.setting());
            assertEquals(family.validator().toString(), key.validator.toString(), family.setting());
            assertTrue(family.contains((String) key.defaultValue), family.setting());
            for (String name : family.names()) {
                assertEquals(name, config.apply(Map.of(family.setting(), name)).getString(family.setting()));
            }
            ConfigException e = assertThrows(ConfigException.class,
                    () -> config.apply(Map.of(family.setting(), "no-such-algorithm")));
            assertTrue(e.getMessage().contains(family.setting())
                    && e.getMessage().contains(String.join(", ", family.names())), e.getMessage());
        }
    }
}
