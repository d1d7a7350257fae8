package io.rlstream.bench;

import io.rlstream.bench.ObjectivePresets.Preset;
import io.rlstream.config.CommandExecution;
import io.rlstream.demo.Demo;
import io.rlstream.demo.DemoSettings;
import io.rlstream.ops.LocalPlatform;
import io.rlstream.schemas.TopicCatalog;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rlstream bench objectives}: the demo once per training objective ({@link ObjectivePresets})
 * and seed, each on a fresh local broker and registry, with the same RL time budget and accuracy
 * target. A run does not stop at the target: it records when held-out accuracy first reached it and
 * goes on to the end of its budget, so that every run gives both numbers, the held-out accuracy at
 * the fixed budget and the time to the target. Per objective the table gives the mean, the sample
 * standard deviation and the range over seeds of the first, and of the second how many seeds
 * reached the target and the mean and range over those that did (issue 15, "Measured").
 */
@Command(name = "objectives", description = {ObjectiveBenchmark.DESCRIPTION, "${bundle:presets}"},
        footer = ObjectiveBenchmark.FOOTER, sortOptions = false,
        resourceBundle = "io.rlstream.bench.ObjectiveBenchmark$HelpText")
public final class ObjectiveBenchmark extends BenchCommand.Parsed {

    /** What the command does, above its flags in {@code --help}. */
    static final String DESCRIPTION = """
            Runs the demo (two-digit addition through a local Kafka) once per training objective and
            seed, each on a fresh broker and registry, with the same RL budget and target. A run goes
            on to the end of its budget after reaching the target, so each gives the held-out greedy
            accuracy at the budget and the seconds of RL until accuracy first reached the target.
            Prints per objective: runs, held-out accuracy at the budget (mean, sample std, min-max
            over seeds), seeds that reached the target (k/n), seconds to the target (mean and
            min-max over the seeds that reached it; those that did not are left out of the mean and
            counted in k/n); then one line per run. Writes each run's folder (OBJECTIVE-seedS),
            objectives.csv (one row per run) and objectives.txt (the tables) under the run dir.

            Objectives (the settings each sets over the demo's; none has a KL term):""";

    /** The presets with their settings for {@code --help} ({@code ${bundle:presets}}): computed, so not an annotation constant. */
    public static final class HelpText extends java.util.ListResourceBundle {
        @Override
        protected Object[][] getContents() {
            return new Object[][] {{"presets", ObjectivePresets.describe().stripTrailing().replace("%", "%%")}};
        }
    }

    /** The presets' names, for --objectives in --help. */
    static final class PresetNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ObjectivePresets.names().iterator();
        }
    }

    /** Below the flags in {@code --help}. */
    static final String FOOTER = """

            Runs take objectives x seeds x (M minutes + about 60 s to start a broker and warm-start
            the policy); the total is printed first.

            Exit codes: 0 measured; 1 failure; 2 wrong usage.
            """;

    /**
     * Seconds a run takes besides its RL budget, for the estimate printed first: a fresh broker and
     * registry (about 23 s), the warm start (13 s on an idle machine, docs/benchmarks.md; 40 to 100 s
     * in the first smoke runs, 2026-12-06, on the shared 2 cores) and the stop.
     */
    static final int START_SECONDS = 60;

    static final long FIRST_SEED = 7;

    /** What to compare. */
    record Settings(List<String> objectives, List<Long> seeds, double minutes, double target, Path runDir) {
        Settings {
            if (objectives.isEmpty()) {
                throw new IllegalArgumentException("--objectives needs at least one of: "
                        + String.join(", ", ObjectivePresets.names()));
            }
            objectives.forEach(ObjectivePresets::named);
            if (new HashSet<>(objectives).size() < objectives.size()) {
                throw new IllegalArgumentException("--objectives names one twice: " + objectives);
            }
            if (seeds.isEmpty() || new HashSet<>(seeds).size() < seeds.size()) {
                throw new IllegalArgumentException("the seeds must be at least one and distinct, got " + seeds);
            }
            if (!(minutes > 0)) {
                throw new IllegalArgumentException("--minutes must be > 0, got " + minutes);
            }
            if (!(target > 0 && target <= 1)) {
                throw new IllegalArgumentException("--target must be in (0, 1], got " + target);
            }
        }

        int runs() {
            return objectives.size() * seeds.size();
        }
    }

    /**
     * One run's figures.
     *
     * @param secondsToTarget seconds of RL until held-out accuracy first reached the target, NaN if it never did
     * @param samplesToTarget rollouts generated until then, -1 if never
     */
    record Run(String objective, long seed, double initialAccuracy, double finalAccuracy, double secondsToTarget,
            long samplesToTarget, long steps, double rlSeconds, long samplesGenerated, double effectiveRatio) {

        static Run of(String objective, long seed, Demo.Result r) {
            return new Run(objective, seed, r.initialAccuracy(), r.finalAccuracy(),
                    r.samplesToTarget() >= 0 ? r.secondsToTarget() : Double.NaN, r.samplesToTarget(), r.steps(),
                    r.rlSeconds(), r.samplesGenerated(), r.effectiveRatio());
        }

        boolean reached() {
            return !Double.isNaN(secondsToTarget);
        }
    }

    /**
     * Mean, sample standard deviation (n − 1; NaN for one value) and range of some numbers; all
     * NaN for none.
     */
    record Spread(int n, double mean, double sd, double min, double max) {
        static Spread of(List<Double> values) {
            int n = values.size();
            if (n == 0) {
                return new Spread(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            double mean = values.stream().mapToDouble(Double::doubleValue).sum() / n;
            double squares = values.stream().mapToDouble(v -> (v - mean) * (v - mean)).sum();
            return new Spread(n, mean, n > 1 ? Math.sqrt(squares / (n - 1)) : Double.NaN,
                    values.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                    values.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
        }
    }

    /**
     * One objective over its seeds: held-out accuracy at the budget over all runs, seconds to the
     * target over the runs that reached it ({@code toTarget.n()} of {@code runs}).
     */
    record Summary(String objective, int runs, Spread heldOut, Spread toTarget, double stepsMean) {
        static Summary of(String objective, List<Run> all) {
            List<Run> runs = all.stream().filter(r -> r.objective().equals(objective)).toList();
            return new Summary(objective, runs.size(), Spread.of(runs.stream().map(Run::finalAccuracy).toList()),
                    Spread.of(runs.stream().filter(Run::reached).map(Run::secondsToTarget).toList()),
                    runs.stream().mapToLong(Run::steps).average().orElse(Double.NaN));
        }
    }

    /** A command object for picocli (a subcommand of {@code rlstream bench}). */
    public ObjectiveBenchmark() {
    }

    @Option(names = "--objectives", paramLabel = "A,B,...", completionCandidates = PresetNames.class,
            description = "Objectives to compare, of ${COMPLETION-CANDIDATES} (default: all, as listed above); grpo is the baseline.")
    String objectives;

    @Option(names = "--seeds", paramLabel = "N", description = "Seeds 7, 8, ..., 7+N-1 (default 3; 7 is the demo's seed).")
    String seeds;

    @Option(names = "--seed-list", paramLabel = "S,S,...", description = "These seeds instead of --seeds.")
    String seedList;

    @Option(names = "--minutes", paramLabel = "M", description = "RL time budget per run (default 5).")
    String minutes;

    @Option(names = "--target", paramLabel = "A", description = "Held-out greedy accuracy target (default 0.85, the demo's).")
    String target;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "Parent folder of the runs (default runs/bench-objectives-<timestamp>).")
    String runDir;

    @Override
    int parsed(List<String> args, PrintStream out, PrintStream err) {
        return runParsed(args, out, err);
    }

    /** {@code rlstream bench objectives [flags]}: see {@code --help}. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return CommandExecution.execute(new ObjectiveBenchmark(), "rlstream bench objectives", args, out, err);
    }

    static int runParsed(List<String> args, PrintStream out, PrintStream err) {
        return BenchCommand.run("objectives", args, out, err, ObjectiveBenchmark::parse, settings -> {
            // every preset checked before the first run starts, not an hour into the measurement
            settings.objectives().forEach(name -> ObjectivePresets.named(name).validate());
            out.print("objectives (the settings each sets over the demo's; none has a KL term):\n"
                    + ObjectivePresets.describe());
            out.print(plan(settings));
            List<Run> runs = new ArrayList<>();
            long started = System.nanoTime();
            int index = 0;
            for (String objective : settings.objectives()) {
                for (long seed : settings.seeds()) {
                    index++;
                    out.printf(Locale.ROOT, "%n=== [%d/%d] objective %s, seed %d: budget %.1f min, target %.0f%% ===%n",
                            index, settings.runs(), objective, seed, settings.minutes(), 100 * settings.target());
                    Run run = runOne(settings, ObjectivePresets.named(objective), seed, out);
                    runs.add(run);
                    double elapsed = (System.nanoTime() - started) / 60e9;
                    out.println(progress(run, index, settings, elapsed));
                }
            }
            String table = format(runs, settings);
            out.println();
            out.print(table);
            Files.writeString(settings.runDir().resolve("objectives.csv"), csv(runs));
            Files.writeString(settings.runDir().resolve("objectives.txt"), table);
            out.println("runs, objectives.csv and objectives.txt in " + settings.runDir());
            return 0;
        });
    }

    /** What is about to run, and for about how long. */
    static String plan(Settings s) {
        double rlMinutes = s.runs() * s.minutes();
        return String.format(Locale.ROOT, "bench objectives: %d objectives (%s) x %d seeds (%s) = %d runs x %.1f min of RL"
                + " = %.1f min of RL, about %.0f min in all with each run's start (~%d s); folder %s%n",
                s.objectives().size(), String.join(",", s.objectives()), s.seeds().size(), seedList(s.seeds()), s.runs(),
                s.minutes(), rlMinutes, rlMinutes + s.runs() * START_SECONDS / 60.0, START_SECONDS, s.runDir());
    }

    /** The line after a run: its result, and how long the rest should take at the pace so far. */
    static String progress(Run run, int done, Settings s, double elapsedMinutes) {
        String target = run.reached()
                ? String.format(Locale.ROOT, "target %.0f%% reached after %.0f s of RL", 100 * s.target(), run.secondsToTarget())
                : String.format(Locale.ROOT, "target %.0f%% not reached", 100 * s.target());
        return String.format(Locale.ROOT, "--> [%d/%d] %s seed %d: held-out %.1f%% -> %.1f%% after %.0f s of RL, %s;"
                + " %.1f min so far, about %.0f min to go", done, s.runs(), run.objective(), run.seed(),
                100 * run.initialAccuracy(), 100 * run.finalAccuracy(), run.rlSeconds(), target, elapsedMinutes,
                elapsedMinutes / done * (s.runs() - done));
    }

    private static Run runOne(Settings settings, Preset preset, long seed, PrintStream out) throws Exception {
        Path dir = settings.runDir().resolve(preset.name() + "-seed" + seed);
        Files.createDirectories(dir);
        try (LocalPlatform platform = LocalPlatform.start(dir.resolve("platform"), TopicCatalog.defaults(), out)) {
            // no dashboard: a benchmark measures the pipeline alone; on to the budget's end: accuracy at the budget
            Demo.Result r = new Demo(demoSettings(settings, preset, seed, dir), platform.bootstrapServers(),
                    platform.registryUrl(), out).dashboardPort(-1).stopAtTarget(false).run();
            return Run.of(preset.name(), seed, r);
        }
    }

    /** The demo's settings for one run: the seed, budget and target, and the preset's settings over the demo's. */
    static DemoSettings demoSettings(Settings settings, Preset preset, long seed, Path dir) {
        return DemoSettings.defaults(dir).withSeed(seed).withTarget(settings.target())
                .withBudget(Duration.ofMillis(Math.round(settings.minutes() * 60_000)))
                .withTrainerSettings(preset.trainer()).withProcessorSettings(preset.processors());
    }

    static final List<String> FLAGS = List.of("objectives", "seeds", "seed-list", "minutes", "target", "run-dir");

    static Settings parse(List<String> args) {
        BenchCommand.DemoRunFlags demo = new BenchCommand.DemoRunFlags(5);
        Map<String, String> others = demo.readFrom(args, FLAGS);
        String chosen = others.get("objectives");
        List<String> objectives = chosen == null ? ObjectivePresets.names()
                : Arrays.stream(chosen.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (others.containsKey("seeds") && others.containsKey("seed-list")) {
            throw new IllegalArgumentException("give --seeds N or --seed-list S,S,..., not both");
        }
        List<Long> seeds;
        if (others.containsKey("seed-list")) {
            String list = others.get("seed-list");
            try {
                seeds = Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Long::parseLong)
                        .toList();
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--seed-list needs whole numbers, got '" + list + "'");
            }
        } else {
            int n = others.containsKey("seeds") ? BenchCommand.integer("seeds", others.get("seeds")) : 3;
            if (n < 1) {
                throw new IllegalArgumentException("--seeds must be >= 1, got " + n);
            }
            seeds = LongStream.range(FIRST_SEED, FIRST_SEED + n).boxed().toList();
        }
        return new Settings(objectives, seeds, demo.minutes, demo.target, demo.runDir("bench-objectives"));
    }

    /** The per-objective table, then one line per run. */
    static String format(List<Run> runs, Settings settings) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "objectives on the demo: seeds %s, budget %.1f min of RL per run, target %.0f%%%n",
                seedList(settings.seeds()), settings.minutes(), 100 * settings.target()));
        s.append(String.format(Locale.ROOT, "%-13s%5s%10s%8s%15s%9s%10s%13s%9s%n", "objective", "runs", "held-out",
                "± sd", "min-max", "reached", "s to it", "min-max", "steps"));
        for (String objective : settings.objectives()) {
            Summary m = Summary.of(objective, runs);
            if (m.runs() == 0) {
                continue;
            }
            Spread h = m.heldOut();
            Spread t = m.toTarget();
            s.append(String.format(Locale.ROOT, "%-13s%5d%9.1f%%%8s%15s%9s%10s%13s%9.0f%n", objective, m.runs(),
                    100 * h.mean(), Double.isNaN(h.sd()) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * h.sd()),
                    String.format(Locale.ROOT, "%.1f-%.1f%%", 100 * h.min(), 100 * h.max()),
                    t.n() + "/" + m.runs(), t.n() == 0 ? "-" : String.format(Locale.ROOT, "%.0f", t.mean()),
                    t.n() == 0 ? "-" : String.format(Locale.ROOT, "%.0f-%.0f", t.min(), t.max()), m.stepsMean()));
        }
        s.append(String.format(Locale.ROOT, """
                held-out: greedy accuracy on the demo's 500 held-out prompts at the end of the budget, mean over the seeds;
                ± sd: sample standard deviation (n - 1) over the seeds ('-' for one); min-max: lowest and highest seed;
                reached: seeds whose held-out accuracy reached %.0f%% within the budget (checked about every 10 s);
                s to it, min-max: seconds of RL until then, mean and range over the seeds that reached it only;
                steps: optimizer steps in the budget, mean over the seeds
                """, 100 * settings.target()));
        s.append(String.format(Locale.ROOT, "%nper run:%n%-13s%6s%10s%10s%10s%12s%12s%8s%11s%n", "objective", "seed",
                "initial", "held-out", "s to it", "samples to", "samples", "steps", "effective"));
        for (Run r : runs) {
            s.append(String.format(Locale.ROOT, "%-13s%6d%9.1f%%%9.1f%%%10s%12s%12d%8d%11.3f%n", r.objective(), r.seed(),
                    100 * r.initialAccuracy(), 100 * r.finalAccuracy(),
                    r.reached() ? String.format(Locale.ROOT, "%.0f", r.secondsToTarget()) : "-",
                    r.reached() ? Long.toString(r.samplesToTarget()) : "-", r.samplesGenerated(), r.steps(),
                    r.effectiveRatio()));
        }
        s.append("""
                initial: held-out accuracy after the warm start; samples to / samples: rollouts generated until the target
                and in the whole budget; effective: groups kept by filter.group / groups completed (1.000 with none)
                """);
        return s.toString();
    }

    static String csv(List<Run> runs) {
        StringBuilder s = new StringBuilder("objective,seed,initial_accuracy,final_accuracy,reached,seconds_to_target,"
                + "samples_to_target,samples_generated,steps,rl_seconds,effective_ratio\n");
        for (Run r : runs) {
            s.append(String.format(Locale.ROOT, "%s,%d,%.4f,%.4f,%b,%s,%d,%d,%d,%.1f,%.4f%n", r.objective(), r.seed(),
                    r.initialAccuracy(), r.finalAccuracy(), r.reached(),
                    r.reached() ? String.format(Locale.ROOT, "%.1f", r.secondsToTarget()) : "", r.samplesToTarget(),
                    r.samplesGenerated(), r.steps(), r.rlSeconds(), r.effectiveRatio()));
        }
        return s.toString();
    }

    private static String seedList(List<Long> seeds) {
        return String.join(",", seeds.stream().map(String::valueOf).toList());
    }
}
