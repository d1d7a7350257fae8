package io.rlstream.cli;

import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.ops.chaos.ChaosRun;
import java.io.PrintStream;
import java.util.Map;

/** The chaos runs of the tests: the demo's tiny policy (random, seed 7) on the demo's first 2,000 prompts. */
final class DemoChaos {

    private DemoChaos() {
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
