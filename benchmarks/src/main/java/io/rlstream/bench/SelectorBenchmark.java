package io.rlstream.bench;

import io.rlstream.config.CommandExecution;
import io.rlstream.demo.Demo;
import io.rlstream.demo.DemoSettings;
import io.rlstream.ops.LocalPlatform;
import io.rlstream.processors.curriculum.PromptSelectors;
import io.rlstream.schemas.TopicCatalog;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rlstream bench selectors}: the demo once per prompt selector, each on a fresh local
 * broker and registry, with the same seed (so the same data split, warm start and sampling
 * seeds), the same RL time budget and the same accuracy target, one after the other on this
 * machine. The table says, per selector, the effective ratio (groups whose rewards are not all
 * equal over groups completed), the samples generated and the wall-clock seconds of RL until
 * held-out accuracy first reached the target, and for PCL the error of V(x) against the groups'
 * observed mean reward. Runs share the machine with nothing of each other, but not with whatever
 * else runs on it: compare within one table.
 */
@Command(name = "selectors", description = SelectorBenchmark.DESCRIPTION, footer = SelectorBenchmark.FOOTER, sortOptions = false)
public final class SelectorBenchmark extends BenchCommand.Parsed {

    /** What the command does, above its flags in {@code --help}. */
    static final String DESCRIPTION = """
            Runs the demo (two-digit addition, GRPO through a local Kafka) once per prompt selector
            with the same seed, budget and target, each on a fresh broker and registry, and prints
            per selector: whether the target was reached, seconds of RL and samples generated until
            then, the effective ratio (groups with non-equal rewards / groups completed), the final
            held-out accuracy, training steps, and for pcl the mean |V(x) - group mean reward| next
            to a running-mean-reward baseline's. Writes each run's folder and selectors.csv.
            """;

    /** Below the flags in {@code --help}. */
    static final String FOOTER = """

            Exit codes: 0 measured; 1 failure; 2 wrong usage.
            """;

    /** What to compare. */
    record Settings(List<String> selectors, double minutes, double target, long seed, Path runDir) {
        Settings {
            if (selectors.isEmpty()) {
                throw new IllegalArgumentException("--selectors needs at least one selector");
            }
            for (String s : selectors) {
                if (!PromptSelectors.FAMILY.names().contains(s)) {
                    throw new IllegalArgumentException("unknown selector '" + s + "'; known: "
                            + String.join(", ", PromptSelectors.FAMILY.names()));
                }
            }
            if (!(minutes > 0)) {
                throw new IllegalArgumentException("--minutes must be > 0, got " + minutes);
            }
            if (!(target > 0 && target <= 1)) {
                throw new IllegalArgumentException("--target must be in (0, 1], got " + target);
            }
        }
    }

    /** A command object for picocli (a subcommand of {@code rlstream bench}). */
    public SelectorBenchmark() {
    }

    @Option(names = "--selectors", paramLabel = "A,B,...", description = "Selectors to compare (default: uniform,pass-rate-window,difficulty-pools,pcl); uniform is the baseline.")
    String selectors;

    @Option(names = "--minutes", paramLabel = "M", description = "RL time budget per run (default 6).")
    String minutes;

    @Option(names = "--target", paramLabel = "A", description = "Held-out greedy accuracy target (default 0.85, the demo's).")
    String target;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of every run (default 7, the demo's).")
    String seed;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "Parent folder of the runs (default runs/bench-selectors-<timestamp>).")
    String runDir;

    @Override
    int parsed(List<String> args, PrintStream out, PrintStream err) {
        return runParsed(args, out, err);
    }

    /** {@code rlstream bench selectors [flags]}: see {@code --help}. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return CommandExecution.execute(new SelectorBenchmark(), "rlstream bench selectors", args, out, err);
    }

    static int runParsed(List<String> args, PrintStream out, PrintStream err) {
        return BenchCommand.run("selectors", args, out, err, SelectorBenchmark::parse, settings -> {
            List<Demo.Result> results = new ArrayList<>();
            for (String selector : settings.selectors()) {
                out.printf("%n=== selector %s: seed %d, budget %.1f min, target %.0f%% ===%n", selector, settings.seed(),
                        settings.minutes(), 100 * settings.target());
                results.add(runOne(settings, selector, out));
            }
            String table = format(results, settings);
            out.println();
            out.print(table);
            Files.writeString(settings.runDir().resolve("selectors.csv"), csv(results));
            Files.writeString(settings.runDir().resolve("selectors.txt"), table);
            out.println("runs and selectors.csv in " + settings.runDir());
            return 0;
        });
    }

    private static Demo.Result runOne(Settings settings, String selector, PrintStream out) throws Exception {
        Path dir = settings.runDir().resolve(selector);
        Files.createDirectories(dir);
        DemoSettings demo = DemoSettings.defaults(dir).withSelector(selector).withSeed(settings.seed())
                .withTarget(settings.target()).withBudget(Duration.ofMillis(Math.round(settings.minutes() * 60_000)));
        try (LocalPlatform platform = LocalPlatform.start(dir.resolve("platform"), TopicCatalog.defaults(), out)) {
            // no dashboard: a benchmark measures the pipeline alone
            return new Demo(demo, platform.bootstrapServers(), platform.registryUrl(), out).dashboardPort(-1).run();
        }
    }

    static final List<String> FLAGS = List.of("selectors", "minutes", "target", "seed", "run-dir");

    static Settings parse(List<String> args) {
        BenchCommand.DemoRunFlags demo = new BenchCommand.DemoRunFlags(6);
        String chosen = demo.readFrom(args, FLAGS).get("selectors");
        List<String> selectors = chosen == null ? PromptSelectors.FAMILY.names()
                : Arrays.stream(chosen.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        return new Settings(selectors, demo.minutes, demo.target, demo.seed, demo.runDir("bench-selectors"));
    }

    /** The side-by-side table; ratios against the first uniform run, when there is one. */
    static String format(List<Demo.Result> results, Settings settings) {
        Demo.Result base = results.stream().filter(r -> r.selector().equals("uniform")).findFirst().orElse(null);
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "prompt selectors on the demo: seed %d, budget %.1f min, target %.0f%%%n",
                settings.seed(), settings.minutes(), 100 * settings.target()));
        s.append(String.format(Locale.ROOT, "%-18s%8s%10s%12s%10s%11s%8s%9s%9s%14s%n", "selector", "target", "s to it",
                "samples", "vs unif.", "effective", "final", "steps", "groups", "V err (base)"));
        for (Demo.Result r : results) {
            boolean reached = r.samplesToTarget() >= 0;
            String vsUniform = base != null && reached && base.samplesToTarget() > 0
                    ? String.format(Locale.ROOT, "%.2fx", (double) r.samplesToTarget() / base.samplesToTarget()) : "-";
            s.append(String.format(Locale.ROOT, "%-18s%8s%10s%12s%10s%11.3f%7.1f%%%9d%9d%14s%n", r.selector(),
                    reached ? "yes" : "no", reached ? String.format(Locale.ROOT, "%.0f", r.secondsToTarget()) : "-",
                    reached ? Long.toString(r.samplesToTarget()) : ">" + r.samplesGenerated(), vsUniform,
                    r.effectiveRatio(), 100 * r.finalAccuracy(), r.steps(), r.groupsCompleted(),
                    Double.isNaN(r.valueMae()) ? "-"
                            : String.format(Locale.ROOT, "%.3f (%.3f)", r.valueMae(), r.valueBaselineMae())));
        }
        s.append("""
                target: held-out greedy accuracy reached within the budget (checked about every 10 s);
                s to it / samples: seconds of RL and rollouts generated until then ('>' all generated when not reached);
                vs unif.: samples to the target over uniform's; effective: groups with non-equal rewards / groups completed;
                V err (base): pcl's mean |V(x) - group mean reward| over graded groups (a constant running-mean predictor's)
                """);
        return s.toString();
    }

    static String csv(List<Demo.Result> results) {
        StringBuilder s = new StringBuilder("selector,reached,seconds_to_target,samples_to_target,samples_generated,"
                + "effective_ratio,groups_completed,initial_accuracy,final_accuracy,steps,rl_seconds,value_mae,value_baseline_mae\n");
        for (Demo.Result r : results) {
            s.append(String.format(Locale.ROOT, "%s,%b,%.1f,%d,%d,%.4f,%d,%.4f,%.4f,%d,%.1f,%.4f,%.4f%n", r.selector(),
                    r.samplesToTarget() >= 0, r.secondsToTarget(), r.samplesToTarget(), r.samplesGenerated(),
                    r.effectiveRatio(), r.groupsCompleted(), r.initialAccuracy(), r.finalAccuracy(), r.steps(),
                    r.rlSeconds(), r.valueMae(), r.valueBaselineMae()));
        }
        return s.toString();
    }
}
