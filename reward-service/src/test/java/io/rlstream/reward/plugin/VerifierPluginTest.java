package io.rlstream.reward.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.reward.RewardServiceConfig;
import io.rlstream.reward.score.RewardScorer;
import io.rlstream.reward.verify.Verifier;
import io.rlstream.reward.verify.VerifierSettings;
import io.rlstream.reward.verify.Verifiers;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A verifier plug-in jar built in the test, found through ServiceLoader by its name. */
class VerifierPluginTest {

    private static final VerifierSettings SETTINGS = VerifierSettings.defaults().withScores(2.0, 0.0);

    @Test
    void aPluginJarOnTheClassPathScoresByItsName(@TempDir Path dir) throws Exception {
        Path jar = PluginJars.build(dir, "length", Map.of("acme.LengthProvider",
                PluginJars.lengthProvider("acme", "LengthProvider", "length", 0.5)), List.of("acme.LengthProvider"));
        try (URLClassLoader loader = PluginJars.loader(jar)) {
            Verifier v = Verifiers.create("length", SETTINGS, loader);
            assertEquals("length", v.name());
            // "abcd": 4 chars · 0.5 = 2.0, no reference → no bonus; "xx 42": 5 · 0.5 + correct (2.0) = 4.5.
            assertEquals(2.0, v.verify("abcd", "").score());
            RewardScorer scorer = RewardScorer.of(v);
            assertEquals(4.5, scorer.score("1+41=", "xx 42", "42", 2).score());
            assertEquals(List.of("numeric-exact", "math", "exact", "regex", "format", "code-python", "reward-model",
                    "remote", "length"), Verifiers.names(loader));
        }
        // Without the jar the name is unknown.
        assertThrows(ConfigException.class, () -> Verifiers.create("length", SETTINGS, getClass().getClassLoader()));
    }

    @Test
    void anUnknownNameListsTheBuiltInAndDiscoveredNames(@TempDir Path dir) throws Exception {
        Path jar = PluginJars.build(dir, "length", Map.of("acme.LengthProvider",
                PluginJars.lengthProvider("acme", "LengthProvider", "length", 1)), List.of("acme.LengthProvider"));
        try (URLClassLoader loader = PluginJars.loader(jar)) {
            ConfigException e = assertThrows(ConfigException.class, () -> Verifiers.create("lenght", SETTINGS, loader));
            assertTrue(e.getMessage().contains("lenght") && e.getMessage().contains("built-in: numeric-exact, math")
                    && e.getMessage().contains("plug-ins found on the class path: length"), e.getMessage());
        }
    }

    @Test
    void twoPluginsWithOneNameOrAPluginWithABuiltInNameAreErrors(@TempDir Path dir) throws Exception {
        Path a = PluginJars.build(dir, "a", Map.of("acme.A", PluginJars.lengthProvider("acme", "A", "length", 1)),
                List.of("acme.A"));
        Path b = PluginJars.build(dir, "b", Map.of("other.B", PluginJars.lengthProvider("other", "B", "length", 2)),
                List.of("other.B"));
        try (URLClassLoader loader = PluginJars.loader(a, b)) {
            ConfigException e = assertThrows(ConfigException.class, () -> Verifiers.create("length", SETTINGS, loader));
            assertTrue(e.getMessage().contains("two verifier plug-ins are called 'length'")
                    && e.getMessage().contains("acme.A") && e.getMessage().contains("other.B"), e.getMessage());
        }
        Path math = PluginJars.build(dir, "m", Map.of("acme.M", PluginJars.lengthProvider("acme", "M", "math", 1)),
                List.of("acme.M"));
        try (URLClassLoader loader = PluginJars.loader(math)) {
            ConfigException e = assertThrows(ConfigException.class, () -> Verifiers.create("exact", SETTINGS, loader));
            assertTrue(e.getMessage().contains("'math', the name of a built-in verifier"), e.getMessage());
        }
    }

    @Test
    void theServiceConfigAcceptsAPluginNameOnlyWhenItsJarIsThere(@TempDir Path dir) throws Exception {
        Map<String, Object> settings = Map.of("bootstrap.servers", "localhost:9", RewardServiceConfig.VERIFIER, "length");
        ConfigException without = assertThrows(ConfigException.class, () -> new RewardServiceConfig(settings));
        assertTrue(without.getMessage().contains("plug-ins found on the class path: none"), without.getMessage());
        Path jar = PluginJars.build(dir, "length", Map.of("acme.LengthProvider",
                PluginJars.lengthProvider("acme", "LengthProvider", "length", 1)), List.of("acme.LengthProvider"));
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = PluginJars.loader(jar)) {
            Thread.currentThread().setContextClassLoader(loader);
            RewardServiceConfig config = new RewardServiceConfig(settings);
            assertEquals(3.0, config.verifier().verify("abc", "").score());
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }
}
