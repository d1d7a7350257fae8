package io.rlstream.cli;

import io.rlstream.events.Prompt;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.model.task.AdditionTask;
import io.rlstream.model.task.Problem;
import io.rlstream.ops.chaos.ChaosRun;
import io.rlstream.ops.chaos.WorkerScaling;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rlstream chaos}: the loop as separate processes on a local platform, a random service
 * killed with SIGKILL every K seconds, then an audit from the topics ({@link ChaosRun}). The
 * starting policy is the demo's tiny policy, randomly initialised (no warm start: the audit is
 * about records, not learning); the prompts are the demo's addition problems.
 */
@Command(name = "chaos", description = {
        "Starts a local Kafka broker and schema registry, writes a tiny random policy, puts the demo's addition prompts on"
                + " rl.prompts and runs the trainer, rewards, processors, worker and dispatcher each as its own process"
                + " (rlstream SERVICE, logs in RUN_DIR/logs). Every S seconds it kills one of the services at random with"
                + " SIGKILL and starts it again at once. After M minutes it stops everything cleanly and audits the topics:"
                + " each training batch trained at most once and none skipped, each group in at most one batch, dispatched"
                + " groups by what became of them, duplicate rollouts, checkpoint version gaps; and each service's recovery"
                + " time, from its kill to the first record its new process commits. Prints a table and writes it to"
                + " RUN_DIR/chaos-report.txt (every kill in RUN_DIR/chaos-kills.csv).", ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:the audit passes and every killed service's median recovery is at most 10 s",
                "1:it does not", "2:a usage error"})
final class ChaosCommand implements Callable<Integer> {

    @Mixin
    HelpOption help;
    @Option(names = "--minutes", paramLabel = "M", description = "How long services are killed (default 10).")
    double minutes = 10;
    @Option(names = "--kill-every", paramLabel = "S", description = "Seconds between two kills (default 25).")
    double killEvery = 25;
    @Option(names = "--seed", paramLabel = "N", description = "Which service is killed when (default 7).")
    long seed = 7;
    @Option(names = "--services", paramLabel = "LIST", description = "Comma-separated services that may be killed"
            + " (default all: trainer,rewards,processors,worker,dispatcher; add broker with --brokers 3; none: no kills).")
    String services = String.join(",", ChaosRun.SERVICES);
    @Option(names = "--brokers", paramLabel = "N", description = "Kafka brokers: 1 (default), or a replicated"
            + " cluster of N KRaft nodes, each its own process (3: replication factor 3, min.insync.replicas 2).")
    int brokers = 1;
    @Option(names = "--broker-down", paramLabel = "S", description = "Seconds a killed broker stays down before"
            + " it restarts with its data (default 10).")
    double brokerDown = 10;
    @Option(names = "--instances", paramLabel = "SERVICE=N", split = ",", description = "Instances of a service, each"
            + " its own process with its own id and state folder, e.g. worker=2,rewards=2,processors=2 (default 1 each;"
            + " the trainer and the dispatcher stay single).")
    Map<String, Integer> instances = new LinkedHashMap<>();
    @Option(names = "--rebalance", paramLabel = "LIST", split = ",", description = "Services of which one instance is"
            + " killed for good at a third of the run and a new one added at two thirds (needs --instances SERVICE=2"
            + " or more), e.g. worker,rewards,processors.")
    List<String> rebalance = new ArrayList<>();
    @Option(names = "--scale-workers", paramLabel = "N[,N...]", split = ",", description = "Instead of chaos: the"
            + " loop without kills once per number of workers, --minutes each, and a table of rollouts/s, groups"
            + " batched/s and trained/s (e.g. 1,2,3).")
    List<Integer> scaleWorkers = new ArrayList<>();
    @Option(names = "--run-dir", paramLabel = "DIR", description = "Where everything goes (default runs/chaos-<timestamp>).")
    Path runDir;
    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting given to every service, e.g."
            + " --set membership.instance.id=none (the old dynamic membership); repeatable.")
    Map<String, String> set = new LinkedHashMap<>();

    private final Terminal terminal;

    ChaosCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    /** {@code rlstream chaos ARGS}. */
    static int run(List<String> argv, PrintStream out, PrintStream err) {
        List<String> args = new ArrayList<>(List.of("chaos"));
        args.addAll(argv);
        return Rlstream.run(args, out, err);
    }

    @Override
    public Integer call() {
        PrintStream out = terminal.out();
        PrintStream err = terminal.err();
        if (!(minutes > 0) || Double.isInfinite(minutes)) {
            throw new UsageException("--minutes expects a positive number, got " + minutes);
        }
        if (!(killEvery >= 1) || Double.isInfinite(killEvery)) {
            throw new UsageException("--kill-every expects seconds, at least 1, got " + killEvery);
        }
        List<String> victims = new ArrayList<>();
        // none: no kills (rebalances and --scale-workers runs only)
        for (String s : services.equals("none") ? new String[0] : services.split(",")) {
            String name = s.trim();
            if (!ChaosRun.TARGETS.contains(name)) {
                throw new UsageException("--services: unknown service '" + name + "'; known: "
                        + String.join(", ", ChaosRun.TARGETS));
            }
            if (name.equals(ChaosRun.BROKER) && brokers < ChaosRun.MIN_BROKERS_TO_KILL) {
                throw new UsageException("--services broker needs --brokers " + ChaosRun.MIN_BROKERS_TO_KILL
                        + " or more (one may be down while the others keep every partition in sync)");
            }
            if (!victims.contains(name)) {
                victims.add(name);
            }
        }
        Path folder = runDir != null ? runDir
                : Path.of("runs", "chaos-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        ChaosRun.Settings settings;
        try {
            settings = new ChaosRun.Settings(folder.toAbsolutePath(), Duration.ofMillis(Math.round(minutes * 60_000)),
                    Duration.ofMillis(Math.round(killEvery * 1000)), seed, List.copyOf(victims), Map.copyOf(set),
                    Duration.ofSeconds(300), declaredSettings(), brokers, Duration.ofMillis(Math.round(brokerDown * 1000)),
                    Map.copyOf(instances), List.copyOf(rebalance));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        try {
            long seed = settings.seed();
            ChaosRun.PolicyWriter policy = dir -> {
                try (Policy p = Policy.create(PolicyConfig.demo(), seed)) {
                    p.save(dir, Map.of("policy_name", "demo", "version", "0", "origin", "rlstream chaos (random)"));
                }
            };
            if (!scaleWorkers.isEmpty()) {
                return WorkerScaling.run(settings, scaleWorkers, policy, prompts(), out).stream()
                        .allMatch(WorkerScaling.Row::auditPassed) ? 0 : 1;
            }
            ChaosRun.Result result = new ChaosRun(settings, policy, prompts(), out).run();
            return result.passed() ? 0 : 1;
        } catch (Exception e) {
            err.println("rlstream chaos failed: " + e);
            return 1;
        }
    }

    /** The demo's addition problems as prompts. */
    static List<Prompt> prompts() {
        List<Prompt> prompts = new ArrayList<>();
        for (Problem p : AdditionTask.standard().train()) {
            prompts.add(Prompt.newBuilder().setPromptId(p.id()).setText(p.prompt()).setReferenceAnswer(p.answer())
                    .setTask("addition").setDataset("chaos").setCreatedAt(Instant.now()).build());
        }
        return prompts;
    }

    /** Each chaos service's own keys, so that a --set goes only to the services that take it. */
    static Map<String, java.util.Set<String>> declaredSettings() {
        Map<String, java.util.Set<String>> declared = new java.util.LinkedHashMap<>();
        Rlstream.services().forEach((name, s) -> declared.put(name, s.definition().names()));
        declared.put("dispatcher", Rlstream.definition("dispatcher").names());
        return declared;
    }
}
