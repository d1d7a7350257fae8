package io.rlstream.cli;

import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.ops.chaos.ChaosRun;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The chaos runs of the tests: the demo's tiny policy (random, seed 7) on the demo's first 2,000 prompts. */
final class DemoChaos {

    private DemoChaos() {
    }

    /**
     * A 45 s run with two instances each of the worker, the reward service and the processors, one
     * of each removed and one added during the run (ChaosIT, ManyInstancesLongIT), kills every 10 s
     * among {@code killed} (none: rebalances alone), standby replicas 1.
     */
    static ChaosRun.Settings scaling(Path runDir, List<String> killed) {
        return new ChaosRun.Settings(runDir, Duration.ofSeconds(45), Duration.ofSeconds(10), 7, killed, Map.of(
                // the partitions of an instance killed or removed move after the broker's shortest session time-out
                "membership.session.timeout.ms", "6000",
                // a processors instance publishes its counters every second, so that one killed early has
                "processors.metrics.interval.ms", "1000",
                "streams.num.standby.replicas", "1",
                // a worker added or restarted late must find the checkpoint folders it reads announced
                // (docs/operations.md#many-instances: the tiny policy trains a version every second)
                "trainer.checkpoints.keep", "100000"),
                Duration.ofSeconds(240), ChaosCommand.declaredSettings(), 1, Duration.ofSeconds(10),
                Map.of("worker", 2, "rewards", 2, "processors", 2), List.of("worker", "rewards", "processors"));
    }

    static ChaosRun.Result run(ChaosRun.Settings settings, PrintStream out) throws Exception {
        return new ChaosRun(settings, dir -> {
            try (Policy policy = Policy.create(PolicyConfig.demo(), 7)) {
                policy.save(dir, Map.of("policy_name", "demo", "version", "0"));
            }
        }, ChaosCommand.prompts().subList(0, 2000), out).run();
    }

    /** The same, with every service JVM on C1 alone ({@link C1ServiceJvms}). */
    static ChaosRun.Result runOnC1(ChaosRun.Settings settings, PrintStream out) throws Exception {
        try (C1ServiceJvms c1 = C1ServiceJvms.open()) {
            return run(settings, out);
        }
    }
}
