package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rlstream.ops.chaos.ChaosRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many instances (issue 21): two rollout workers, two reward-service instances and two processors
 * instances at once, each its own process on a local platform; at 15 s one instance of each is
 * killed with SIGKILL for good, at 30 s a new one of each is added, so every group rebalances twice
 * (consumer group of the workers, Kafka Streams tasks of the rewards and the processors). Asserts
 * from the topics that exactly-once held through the rebalances (no group lost, none trained twice,
 * no duplicate) and that every instance, the added ones included, did work: a worker's rollouts by
 * their generator_id on rl.rollouts, a reward or processors instance's counter on its /metrics.
 * CI runs these rebalances inside {@link ChaosIT}'s kill run; this one has them without kills, so that
 * a failure here is the rebalance's alone (docs/operations.md#many-instances).
 */
class ManyInstancesLongIT {

    @Test
    void instancesKilledAndAddedMidRunKeepExactlyOnceAndEachOneWorks(@TempDir Path runDir) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new TeeStream(console, System.out), true, StandardCharsets.UTF_8);
        ChaosRun.Settings settings = DemoChaos.scaling(runDir, List.of());
        List<String> scaled = settings.rebalance();
        ChaosRun.Result result = DemoChaos.run(settings, out);
        String log = console.toString(StandardCharsets.UTF_8);

        assertTrue(result.audit().passed(), "audit failures: " + result.audit().failures() + "\n" + log);
        assertTrue(result.audit().trainedBatches() >= 2, "batches trained: " + result.audit().trainedBatches() + "\n" + log);
        assertEquals(0, result.audit().duplicateRollouts(), log);
        assertEquals(result.audit().dispatched(), result.audit().reasons().values().stream().mapToLong(Integer::longValue).sum(),
                "every dispatched group has exactly one reason");
        // Instances 0 and 1 started together, 0 was killed at 15 s, 2 was added at 30 s (the run waits for its
        // first work after the 45 s): each did work.
        for (String service : scaled) {
            for (int i = 0; i < 3; i++) {
                String instance = ChaosRun.instanceName(service, i);
                assertTrue(result.work().getOrDefault(instance, 0L) > 0, instance + " did no work: " + result.work() + "\n" + log);
                assertTrue(Files.exists(runDir.resolve("logs").resolve(instance + ".log")), instance);
            }
        }
        // rollouts by worker add up to the rollouts the audit counted on rl.rollouts (an independent count: by key)
        long byWorker = result.work().entrySet().stream().filter(e -> e.getKey().startsWith("worker"))
                .mapToLong(Map.Entry::getValue).sum();
        assertEquals(result.audit().rollouts(), byWorker, result.work().toString());
        assertTrue(log.contains("SIGKILL worker (pid") && log.contains("started worker-2"), log);
        assertTrue(log.contains("processors-2 (added) did its first work"), log);
    }
}
