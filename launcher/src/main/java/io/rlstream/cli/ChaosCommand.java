package io.rlstream.cli;

import io.rlstream.events.Prompt;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.model.task.AdditionTask;
import io.rlstream.model.task.Problem;
import io.rlstream.ops.chaos.ChaosRun;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code rlstream chaos}: the loop as separate processes on a local platform, a random service
 * killed with SIGKILL every K seconds, then an audit from the topics ({@link ChaosRun}). The
 * starting policy is the demo's tiny policy, randomly initialised (no warm start: the audit is
 * about records, not learning); the prompts are the demo's addition problems.
 */
final class ChaosCommand {

    static final String HELP = """
            Usage: rlstream chaos [--minutes M] [--kill-every S] [--seed N] [--services LIST]
                                  [--run-dir DIR] [--set KEY=VALUE]...

            Starts a local Kafka broker and schema registry, writes a tiny random policy, puts the
            demo's addition prompts on rl.prompts and runs the trainer, rewards, processors,
            worker and dispatcher each as its own process (rlstream SERVICE, logs in
            RUN_DIR/logs). Every S seconds it kills one of the services at random with SIGKILL
            and starts it again at once. After M minutes it stops everything cleanly and audits
            the topics: each training batch trained at most once and none skipped, each group in
            at most one batch, dispatched groups by what became of them, duplicate rollouts,
            checkpoint version gaps; and each service's recovery time, from its kill to the first
            record its new process commits. Prints a table and writes it to
            RUN_DIR/chaos-report.txt (every kill in RUN_DIR/chaos-kills.csv).

              --minutes M        how long services are killed (default 10)
              --kill-every S     seconds between two kills (default 25)
              --seed N           which service is killed when (default 7)
              --services LIST    comma-separated services that may be killed (default all:
                                 trainer,rewards,processors,worker,dispatcher)
              --run-dir DIR      where everything goes (default runs/chaos-<timestamp>)
              --set KEY=VALUE    a setting given to every service, e.g.
                                 --set membership.instance.id=none (the old dynamic membership)

            Exit status: 0 if the audit passes and every killed service's median recovery is at
            most 10 s; 1 if not; 2 on a usage error.
            """;

    private ChaosCommand() {
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) {
        if (argv.contains("--help") || argv.contains("-h")) {
            out.print(HELP);
            return 0;
        }
        ChaosRun.Settings settings;
        try {
            Args args = Args.parse(argv, List.of());
            args.rejectUnknown(List.of("minutes", "kill-every", "seed", "services", "run-dir", "set"));
            if (!args.positional().isEmpty()) {
                throw new Args.UsageException("unexpected argument '" + args.positional().get(0) + "'");
            }
            double minutes = args.number("minutes", 10);
            double killEvery = args.number("kill-every", 25);
            if (!(minutes > 0) || Double.isInfinite(minutes)) {
                throw new Args.UsageException("--minutes expects a positive number, got " + minutes);
            }
            if (!(killEvery >= 1) || Double.isInfinite(killEvery)) {
                throw new Args.UsageException("--kill-every expects seconds, at least 1, got " + killEvery);
            }
            List<String> victims = new ArrayList<>();
            for (String s : args.get("services", String.join(",", ChaosRun.SERVICES)).split(",")) {
                String name = s.trim();
                if (!ChaosRun.SERVICES.contains(name)) {
                    throw new Args.UsageException("--services: unknown service '" + name + "'; known: "
                            + String.join(", ", ChaosRun.SERVICES));
                }
                if (!victims.contains(name)) {
                    victims.add(name);
                }
            }
            Path runDir = args.path("run-dir");
            if (runDir == null) {
                runDir = Path.of("runs", "chaos-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            }
            settings = new ChaosRun.Settings(runDir.toAbsolutePath(), Duration.ofMillis(Math.round(minutes * 60_000)),
                    Duration.ofMillis(Math.round(killEvery * 1000)), (long) args.number("seed", 7),
                    List.copyOf(victims), Map.copyOf(args.settings()), Duration.ofSeconds(300));
        } catch (Args.UsageException e) {
            err.println("rlstream chaos: " + e.getMessage());
            err.println("Run 'rlstream chaos --help' for usage.");
            return 2;
        }
        try {
            long seed = settings.seed();
            ChaosRun.Result result = new ChaosRun(settings, dir -> {
                try (Policy policy = Policy.create(PolicyConfig.demo(), seed)) {
                    policy.save(dir, Map.of("policy_name", "demo", "version", "0", "origin", "rlstream chaos (random)"));
                }
            }, prompts(), out).run();
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
}
