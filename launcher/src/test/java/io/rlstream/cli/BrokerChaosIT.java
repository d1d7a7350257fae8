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
 * The loop on a replicated cluster: 3 Kafka brokers (each its own process), every service its
 * own process, and one broker killed with SIGKILL mid-run and restarted 8 s later with its data
 * ({@code rlstream chaos --brokers 3 --services broker}). The audit from the topics shows no
 * batch lost or trained twice and no group duplicated; training goes on (a new checkpoint version
 * after the kill); the restarted broker catches up (every replica in sync); every topic, the
 * internal ones included, has 3 copies (docs/operations.md#replicated-cluster).
 */
class BrokerChaosIT {

    @Test
    void aKilledBrokerLosesNothingAndTrainingGoesOn(@TempDir Path runDir) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new TeeStream(console, System.out), true, StandardCharsets.UTF_8);
        // One kill: at 12 s of a 24 s run (the next would be at 24 s, the end); down for 8 s.
        ChaosRun.Settings settings = new ChaosRun.Settings(runDir, Duration.ofSeconds(24), Duration.ofSeconds(12), 7,
                List.of(ChaosRun.BROKER), Map.of(), Duration.ofSeconds(240), Map.of(), 3, Duration.ofSeconds(8));
        // 3 brokers and 5 service JVMs share the CI machine's cores: the services run on C1 alone.
        ChaosRun.Result result = DemoChaos.runOnC1(settings, out);
        String log = console.toString(StandardCharsets.UTF_8);

        // Nothing lost (no batch skipped, every batched group dispatched), nothing twice (batch
        // trained once, group in one batch, no rollout or dispatch twice), no version gap.
        assertTrue(result.audit().passed(), "audit failures: " + result.audit().failures() + "\n" + log);
        assertTrue(result.audit().trainedBatches() >= 2, "batches trained: " + result.audit().trainedBatches() + "\n" + log);
        assertEquals(result.audit().dispatched(), result.audit().reasons().values().stream().mapToLong(Integer::longValue).sum(),
                "every dispatched group has exactly one reason");

        assertEquals(1, result.kills().size(), log);
        ChaosRun.Kill kill = result.kills().get(0);
        assertEquals(ChaosRun.BROKER, kill.service());
        // Training went on: a checkpoint version above every version before the kill arrived after it.
        assertTrue(kill.recoverySeconds() > 0 && kill.recoverySeconds() < 180, kill + "\n" + log);
        // The restarted broker caught up: every replica in sync again, after its 8 s down.
        assertTrue(kill.readySeconds() >= 8 && kill.readySeconds() < 180, kill + "\n" + log);

        // Three copies of everything: the catalog's topics, Streams' internal ones, offsets, transactions.
        Map<String, Integer> replicas = result.replicas();
        assertEquals(3, replicas.get("rl.rollouts"), replicas.toString());
        assertEquals(3, replicas.get("rl.training-batches"), replicas.toString());
        assertEquals(3, replicas.get("__consumer_offsets"), replicas.toString());
        assertEquals(3, replicas.get("__transaction_state"), replicas.toString());
        assertTrue(replicas.keySet().stream().anyMatch(t -> t.endsWith("-changelog")), replicas.toString());
        replicas.forEach((topic, n) -> assertEquals(3, n, topic));

        // One node started twice (launch lines in its log), the others once.
        int launches = 0;
        for (int node = 1; node <= 3; node++) {
            launches += (int) Files.readAllLines(runDir.resolve("platform/kafka/node-" + node + "/broker.log")).stream()
                    .filter(l -> l.startsWith("# ")).count();
        }
        assertEquals(4, launches);
        String report = Files.readString(runDir.resolve("chaos-report.txt"));
        assertTrue(report.contains("audit: passed"), report);
        assertTrue(report.contains("replication: 3 brokers, replicas per topic [3];"), report);
    }
}
