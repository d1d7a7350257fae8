package io.rlstream.ops.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which settings each service of a chaos run gets: services stop at start on a key they do not take (issue 20). */
class ChaosSettingsTest {

    static ChaosRun.Settings settings(Map<String, String> extra, Map<String, Set<String>> declared) {
        return new ChaosRun.Settings(Path.of("run"), Duration.ofMinutes(1), Duration.ofSeconds(10), 7,
                ChaosRun.SERVICES, extra, Duration.ofMinutes(1), declared);
    }

    @Test
    void anExtraSettingGoesOnlyToTheServicesThatTakeIt() {
        // As in docs/operations.md's example: the trainer has no consumer group, so no membership.* keys.
        Map<String, Set<String>> declared = Map.of("trainer", Set.of("trainer.lr"),
                "worker", Set.of("membership.instance.id"), "rewards", Set.of("membership.instance.id"));
        ChaosRun.Settings s = settings(Map.of("membership.instance.id", "none", "security.protocol", "PLAINTEXT",
                "kafka.client.rack", "r1"), declared);
        // Kafka client keys and kafka.* keys every service takes.
        assertEquals(Map.of("security.protocol", "PLAINTEXT", "kafka.client.rack", "r1"), s.settingsFor("trainer"));
        assertEquals(Map.of("membership.instance.id", "none", "security.protocol", "PLAINTEXT",
                "kafka.client.rack", "r1"), s.settingsFor("worker"));
    }

    @Test
    void aSettingNoServiceTakesIsRefused() {
        ChaosRun.Settings s = settings(Map.of("membership.instanse.id", "none"),
                Map.of("worker", Set.of("membership.instance.id")));
        var e = assertThrows(IllegalArgumentException.class, () -> s.settingsFor("worker"));
        assertTrue(e.getMessage().contains("membership.instanse.id"), e.getMessage());
    }

    @Test
    void withoutTheServicesKeysEveryServiceGetsEverySetting() {
        ChaosRun.Settings s = new ChaosRun.Settings(Path.of("run"), Duration.ofMinutes(1), Duration.ofSeconds(10), 7,
                List.of("worker"), Map.of("anything", "1"), Duration.ofMinutes(1));
        assertEquals(Map.of("anything", "1"), s.settingsFor("trainer"));
    }

    @Test
    void theBaseSettingsOfTheDispatcherAreTheProcessors() {
        Map<String, Map<String, String>> base = ChaosRun.baseSettings(Path.of("/run"));
        assertEquals(Set.copyOf(ChaosRun.SERVICES), base.keySet());
        assertEquals(base.get("processors"), base.get("dispatcher"));
        assertEquals(Map.of("reward.state.dir", "/run/state/rewards"), base.get("rewards"));
    }
}
