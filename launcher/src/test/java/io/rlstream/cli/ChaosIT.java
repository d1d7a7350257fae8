package io.rlstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * A short {@code rlstream chaos} with many instances (issues 19 and 21, one platform for both):
 * every service in its own JVM on a local platform, two rollout workers, two reward-service and two
 * processors instances; one instance of any service killed with SIGKILL every 10 s for 45 s and
 * restarted, and, for the workers, the rewards and the processors, one instance killed for good at
 * 15 s and a new one added at 30 s, so that each group rebalances (consumer group of the workers,
 * Kafka Streams tasks of the others); then the audit from the topics. Asserts that nothing was lost
 * or duplicated, that every killed service came back and produced again, that every instance, the
 * added ones included, did work, and that the processors instances kept standby tasks
 * (streams.num.standby.replicas 1). The 10 s recovery bound is the long run's, not CI's, whose
 * machine speed is unknown (docs/operations.md#recovery-after-a-crash-and-rlstream-chaos). The long
 * versions: {@code rlstream chaos --minutes 10}, {@link ManyInstancesLongIT} (docs/operations.md#many-instances).
 */
class ChaosIT {

    @Test
    void killedServicesComeBackAndRebalancedGroupsLoseAndDuplicateNothing(@TempDir Path runDir) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new TeeStream(console, System.out), true, StandardCharsets.UTF_8);
        ChaosRun.Settings settings = DemoChaos.scaling(runDir, ChaosRun.SERVICES);
        List<String> scaled = settings.rebalance();
        // 15 service JVMs start in this run (8 at once, 4 restarts, 3 added), each living a minute or two.
        ChaosRun.Result result = DemoChaos.runOnC1(settings, out);
        String log = console.toString(StandardCharsets.UTF_8);

        assertTrue(result.audit().passed(), "audit failures: " + result.audit().failures() + "\n" + log);
        // Not vacuous: the loop ran through every stage, and each count is read from its own topic.
        assertTrue(result.audit().trainedBatches() >= 2, "batches trained: " + result.audit().trainedBatches() + "\n" + log);
        assertTrue(result.audit().rollouts() >= 4L * result.audit().reasons().get("trained"), log); // group.size 4
        assertEquals(0, result.audit().duplicateRollouts(), log);
        assertEquals(result.audit().dispatched(), result.audit().reasons().values().stream().mapToLong(Integer::longValue).sum(),
                "every dispatched group has exactly one reason");

        // 45 s with a kill every 10 s: four kills, each one followed by new output of the killed service.
        List<ChaosRun.Kill> kills = result.kills();
        assertEquals(4, kills.size(), log);
        for (ChaosRun.Kill k : kills) {
            assertTrue(k.recoverySeconds() > 0 && k.recoverySeconds() < 180, k + "\n" + log);
        }
        String report = Files.readString(runDir.resolve("chaos-report.txt"));
        assertTrue(report.contains("audit: passed"), report);
        assertEquals(kills.size() + 1, Files.readAllLines(runDir.resolve("chaos-kills.csv")).size());
        assertFalse(log.contains("exited on its own"), log);
        // each instance's log shows its starts: one launch line per start, once plus once per kill
        for (String service : ChaosRun.SERVICES) {
            int instances = scaled.contains(service) ? 3 : 1; // 0 and 1 from the start, 2 added at 30 s
            for (int i = 0; i < instances; i++) {
                String instance = ChaosRun.instanceName(service, i);
                long starts = Files.readAllLines(runDir.resolve("logs").resolve(instance + ".log")).stream()
                        .filter(l -> l.startsWith("# ")).count();
                long killed = kills.stream().filter(k -> k.instance().equals(instance)).count();
                assertEquals(1 + killed, starts, instance + " started once plus once per kill");
            }
        }

        // The rebalances: instance 0 of each scaled service killed for good at 15 s (or instance 1, if 0's kill
        // was pending), instance 2 added at 30 s; every instance did work, the added ones included (the run
        // waits for their first work after the 45 s).
        for (String service : scaled) {
            assertTrue(java.util.regex.Pattern.compile("SIGKILL " + service + "(-1)? \\(pid \\d+\\) for good").matcher(log).find(),
                    log);
            assertTrue(log.contains("started " + service + "-2: its group rebalances"), log);
            assertTrue(log.contains(service + "-2 (added) did its first work"), log);
            for (int i = 0; i < 3; i++) {
                String instance = ChaosRun.instanceName(service, i);
                assertTrue(result.work().getOrDefault(instance, 0L) > 0, instance + " did no work: " + result.work() + "\n" + log);
            }
        }
        // rollouts by worker (rl.rollouts by generator_id) add up to the rollouts the audit counted (by key)
        long byWorker = result.work().entrySet().stream().filter(e -> e.getKey().startsWith("worker"))
                .mapToLong(Map.Entry::getValue).sum();
        assertEquals(result.audit().rollouts(), byWorker, result.work().toString());

        // streams.num.standby.replicas 1 reached Kafka Streams: with two processors instances, each kept warm copies
        // of stores whose tasks the other ran (its state updater's standby-updating-tasks gauge on /metrics). The
        // reward service's tasks have no store here (its prompts are a global table, replicated on every
        // instance; only reward batching adds a task store), so it has nothing to keep a standby of.
        long standby = result.standbyTasks().entrySet().stream().filter(e -> e.getKey().startsWith("processors"))
                .mapToLong(Map.Entry::getValue).max().orElse(0);
        assertTrue(standby > 0, "no standby task on any processors instance: " + result.standbyTasks() + "\n" + log);
        assertEquals(0, result.standbyTasks().entrySet().stream().filter(e -> e.getKey().startsWith("rewards"))
                .mapToLong(Map.Entry::getValue).sum(), "the reward service has no task store: " + result.standbyTasks());
    }
}
