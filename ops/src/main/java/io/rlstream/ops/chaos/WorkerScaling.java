package io.rlstream.ops.chaos;

import io.rlstream.events.Prompt;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;

/**
 * Throughput by number of rollout workers: the whole loop (each service its own process on a
 * fresh local platform) run without kills for the same time with 1, 2, 3... workers, one run
 * after the other, and one table: rollouts, groups batched and groups trained per second after the
 * warm-up, and whether the audit passed (nothing lost or duplicated). On one machine the workers
 * share its cores with every other service: the table shows what scaling out costs and that it is
 * lossless there, not the speed-up of workers on machines of their own (docs/operations.md#many-instances).
 */
public final class WorkerScaling {

    /** One run's line of the table. */
    public record Row(int workers, ChaosRun.Throughput throughput, boolean auditPassed) {
    }

    private WorkerScaling() {
    }

    /**
     * Runs the loop once per entry of {@code workers}, each in {@code template.runDir()/workers-N},
     * for {@code template.duration()} after its warm-up, with the template's settings, brokers and
     * other services' instances; kills and rebalances are left out. Prints and returns the table
     * (also written to {@code template.runDir()/worker-scaling.txt}).
     */
    public static List<Row> run(ChaosRun.Settings template, List<Integer> workers, ChaosRun.PolicyWriter policy,
            List<Prompt> prompts, PrintStream out) throws Exception {
        List<Row> rows = new ArrayList<>();
        for (int n : workers) {
            var instances = new HashMap<>(template.instances());
            instances.put("worker", n);
            ChaosRun.Settings s = new ChaosRun.Settings(template.runDir().resolve("workers-" + n), template.duration(),
                    template.killEvery(), template.seed(), List.of(), template.settings(), template.warmUp(),
                    template.declared(), template.brokers(), template.brokerDownFor(), instances, List.of());
            out.println("== " + n + " worker" + (n == 1 ? "" : "s") + " ==");
            ChaosRun.Result r = new ChaosRun(s, policy, prompts, out).run();
            rows.add(new Row(n, r.throughput(), r.audit().passed()));
        }
        String table = table(rows);
        Files.createDirectories(template.runDir());
        Files.writeString(template.runDir().resolve("worker-scaling.txt"), table);
        out.print(table);
        return rows;
    }

    /** The table as printed. */
    public static String table(List<Row> rows) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%7s %9s %10s %16s %16s %s%n", "workers",
                "seconds", "rollouts/s", "groups batched/s", "groups trained/s", "audit"));
        for (Row r : rows) {
            ChaosRun.Throughput t = r.throughput();
            s.append(String.format(Locale.ROOT, "%7d %9.0f %10.2f %16.2f %16.2f %s%n", r.workers(), t.seconds(),
                    t.rolloutsPerSecond(), t.groupsBatchedPerSecond(), t.groupsTrainedPerSecond(),
                    r.auditPassed() ? "passed" : "FAILED"));
        }
        return s.toString();
    }
}
