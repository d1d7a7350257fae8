package io.rlstream.ops.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Several instances of one service on one host: each must get its own transactional id,
 * static-membership id and state folder (docs/operations.md#many-instances), and only the workers,
 * the reward service and the processors may have more than one.
 */
class ChaosInstancesTest {

    private static ChaosRun.Settings settings(Map<String, Integer> instances, List<String> rebalance) {
        return new ChaosRun.Settings(Path.of("run"), Duration.ofMinutes(1), Duration.ofSeconds(10), 7, List.of(),
                Map.of(), Duration.ofMinutes(1), Map.of(), 1, Duration.ofSeconds(10), instances, rebalance);
    }

    @Test
    void theFirstInstanceKeepsItsSettingsAndAnotherGetsItsOwnIds() {
        Map<String, Map<String, String>> base = ChaosRun.baseSettings(Path.of("/r"));
        // the first instance: the settings as a single-instance run has them (ChaosIT's logs and folders)
        assertEquals(base.get("processors"), ChaosRun.instanceSettings("processors", 0, base.get("processors")));
        // another: its state folder suffixed, so its derived static-membership id (a CRC of the folder) differs too
        assertEquals("/r/state/processors-2",
                ChaosRun.instanceSettings("processors", 2, base.get("processors")).get("processors.state.dir"));
        assertEquals("/r/state/rewards-1",
                ChaosRun.instanceSettings("rewards", 1, base.get("rewards")).get("reward.state.dir"));
        // a worker without worker.id: the first runs as worker.id's default worker-0, the second as worker-1
        assertEquals(Map.of(), ChaosRun.instanceSettings("worker", 0, Map.of()));
        assertEquals(Map.of("worker.id", "worker-1"), ChaosRun.instanceSettings("worker", 1, Map.of()));
        // ids given by the operator are suffixed; "none" (dynamic membership) and empty (derived) stay
        assertEquals(Map.of("worker.id", "gpu-a-2", "membership.instance.id", "w-2"), ChaosRun.instanceSettings("worker", 2,
                Map.of("worker.id", "gpu-a", "membership.instance.id", "w")));
        assertEquals("none", ChaosRun.instanceSettings("rewards", 1, Map.of("membership.instance.id", "none"))
                .get("membership.instance.id"));
        assertEquals("", ChaosRun.instanceSettings("rewards", 1, Map.of("membership.instance.id", ""))
                .get("membership.instance.id"));
    }

    @Test
    void aRebalanceRemovesTheFirstInstanceWhoseKillIsNotPending() {
        List<String> running = List.of("trainer", "rewards", "rewards-1", "worker", "worker-1", "worker-2");
        assertEquals("rewards", ChaosRun.instanceToRemove(running, "rewards", List.of()));
        // rewards was killed and restarted and has not produced again: its recovery is measured, so its sibling goes
        assertEquals("rewards-1", ChaosRun.instanceToRemove(running, "rewards", List.of("rewards")));
        assertEquals("worker", ChaosRun.instanceToRemove(running, "worker", List.of("rewards", "worker-1")));
        assertEquals("worker-2", ChaosRun.instanceToRemove(running, "worker", List.of("worker", "worker-1")));
        assertThrows(IllegalStateException.class, () -> ChaosRun.instanceToRemove(List.of("rewards"), "rewards",
                List.of("rewards")));
    }

    @Test
    void instanceNamesMapBackToTheirService() {
        assertEquals("worker", ChaosRun.instanceName("worker", 0));
        assertEquals("worker-3", ChaosRun.instanceName("worker", 3));
        for (String service : ChaosRun.SERVICES) {
            assertEquals(service, ChaosRun.serviceOf(ChaosRun.instanceName(service, 0)));
            assertEquals(service, ChaosRun.serviceOf(ChaosRun.instanceName(service, 12)));
        }
    }

    @Test
    void onlyWorkersRewardsAndProcessorsScale() {
        assertEquals(3, settings(Map.of("worker", 3), List.of()).instancesOf("worker"));
        assertEquals(1, settings(Map.of("worker", 3), List.of()).instancesOf("rewards"));
        for (String single : List.of("trainer", "dispatcher")) {
            var e = assertThrows(IllegalArgumentException.class, () -> settings(Map.of(single, 2), List.of()));
            assertTrue(e.getMessage().contains("one trainer owns the policy"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> settings(Map.of("worker", 0), List.of()));
        assertThrows(IllegalArgumentException.class, () -> settings(Map.of("workers", 2), List.of()));
        assertThrows(IllegalArgumentException.class, () -> settings(Map.of(), List.of("trainer")));
    }
}
