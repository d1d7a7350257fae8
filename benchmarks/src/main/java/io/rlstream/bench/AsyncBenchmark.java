package io.rlstream.bench;

import io.rlstream.bench.sim.AsyncSimulation;
import io.rlstream.config.CommandExecution;
import io.rlstream.demo.Demo;
import io.rlstream.demo.DemoSettings;
import io.rlstream.ops.LocalPlatform;
import io.rlstream.schemas.TopicCatalog;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rlstream bench async}: synchronous against asynchronous RL on the demo. One demo run per
 * staleness bound η (AReaL's admission, {@code dispatch.max-staleness}) and per off-policy setting
 * (on: decoupled PPO with truncated importance weights, the trainer's default; off: the plain
 * clipped surrogate against the behaviour policy), each on a fresh local broker and registry, with
 * the same seed, budget and target. The generator and the trainer run on their own threads with
 * one PyTorch intra-op thread each (the policy's default), so on 2 cores they can overlap as they
 * would on separate GPUs. The in-flight cap is lifted to (η + 2)·B so that η alone bounds the work
 * ahead of the trainer.
 *
 * <p>The overlap limit is what perfect overlap would give over the synchronous run:
 * (gen + train) / max(gen, train), with gen and train the busy seconds of the generator and the
 * trainer in the η = 0 run.
 */
@Command(name = "async", description = AsyncBenchmark.DESCRIPTION, footer = AsyncBenchmark.FOOTER, sortOptions = false)
public final class AsyncBenchmark extends BenchCommand.Parsed {

    /** What the command does, above its flags in {@code --help}. */
    static final String DESCRIPTION = """
            Runs the demo once per staleness bound eta and off-policy setting, same seed, budget and
            target, each on a fresh broker and registry, and prints per run: seconds of RL to the
            accuracy target, samples generated per second, the trainer's and the generator's idle
            fractions, mean and largest staleness, final held-out accuracy, and the speedup over
            eta = 0 next to the overlap limit (gen + train) / max(gen, train) of the eta = 0 run.
            Writes each run's folder and async.csv.
            """;

    /** Below the flags in {@code --help}. */
    static final String FOOTER = """

            Exit codes: 0 measured; 1 failure; 2 wrong usage.
            """;

    record Settings(List<Integer> etas, List<Boolean> corrections, double minutes, double target, long seed, Path runDir) {
        Settings {
            if (etas.isEmpty() || etas.stream().anyMatch(e -> e < 0)) {
                throw new IllegalArgumentException("--etas needs values >= 0, got " + etas);
            }
            if (corrections.isEmpty()) {
                throw new IllegalArgumentException("--corrections needs on, off or both");
            }
            if (!(minutes > 0)) {
                throw new IllegalArgumentException("--minutes must be > 0, got " + minutes);
            }
            if (!(target > 0 && target <= 1)) {
                throw new IllegalArgumentException("--target must be in (0, 1], got " + target);
            }
        }
    }

    /** One run's figures. */
    record Run(int eta, boolean correction, Demo.Result result, double stalenessMean, double stalenessMax) {
    }

    /** A command object for picocli (a subcommand of {@code rlstream bench}). */
    public AsyncBenchmark() {
    }

    @Option(names = "--etas", paramLabel = "E,E,...", description = "Staleness bounds (default 0,1,2,4,8); 0 is synchronous.")
    String etas;

    @Option(names = "--corrections", paramLabel = "C,...", description = "on (decoupled PPO + TIS, the default), off (plain clipped surrogate); default on,off.")
    String corrections;

    @Option(names = "--minutes", paramLabel = "M", description = "RL time budget per run (default 5).")
    String minutes;

    @Option(names = "--target", paramLabel = "A", description = "Held-out greedy accuracy target (default 0.85).")
    String target;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of every run (default 7).")
    String seed;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "Parent folder (default runs/bench-async-<timestamp>).")
    String runDir;

    @Option(names = "--simulate", description = "SIMULATED instead, at scale: the real broker, dispatcher, reward service and processors with timed stand-ins for the generators (--generators N, default 64; long-tailed response lengths) and the trainer (time per token); --batches N (default 30) per eta.")
    boolean simulate;

    @Override
    int parsed(List<String> args, PrintStream out, PrintStream err) {
        return runParsed(args, out, err);
    }

    /** {@code rlstream bench async [flags]}: see {@code --help}. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return CommandExecution.execute(new AsyncBenchmark(), "rlstream bench async", args, out, err);
    }

    static int runParsed(List<String> args, PrintStream out, PrintStream err) {
        if (args.contains("--simulate") && !args.contains("--help") && !args.contains("-h")) {
            return simulate(args.stream().filter(a -> !a.equals("--simulate")).toList(), out, err);
        }
        return BenchCommand.run("async", args, out, err, AsyncBenchmark::parse, settings -> {
            List<Run> runs = new ArrayList<>();
            for (boolean correction : settings.corrections()) {
                for (int eta : settings.etas()) {
                    out.printf("%n=== eta %d, off-policy correction %s: seed %d, budget %.1f min, target %.0f%% ===%n", eta,
                            correction ? "on" : "off", settings.seed(), settings.minutes(), 100 * settings.target());
                    runs.add(runOne(settings, eta, correction, out));
                }
            }
            String table = format(runs, settings);
            out.println();
            out.print(table);
            Files.writeString(settings.runDir().resolve("async.txt"), table);
            Files.writeString(settings.runDir().resolve("async.csv"), csv(runs));
            out.println("runs and async.csv in " + settings.runDir());
            return 0;
        });
    }

    /** {@code --simulate}: the timed stand-ins at scale ({@link AsyncSimulation}); flags --etas, --generators, --batches, --run-dir. */
    static int simulate(List<String> args, PrintStream out, PrintStream err) {
        List<Integer> etas = List.of(0, 1, 2, 4, 8);
        Integer generators = null;
        Integer batches = null;
        Path runDir = null;
        try {
            for (int i = 0; i < args.size(); i += 2) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException("flag " + args.get(i) + " needs a value");
                }
                String value = args.get(i + 1);
                switch (args.get(i)) {
                    case "--etas" -> etas = Arrays.stream(value.split(",")).map(String::trim).map(Integer::parseInt).toList();
                    case "--generators" -> generators = Integer.parseInt(value);
                    case "--batches" -> batches = Integer.parseInt(value);
                    case "--run-dir" -> runDir = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown flag " + args.get(i) + " with --simulate");
                }
            }
            if ((generators != null && generators < 1) || (batches != null && batches < 1) || etas.stream().anyMatch(e -> e < 0)) {
                throw new IllegalArgumentException("--generators and --batches must be >= 1 and --etas >= 0");
            }
        } catch (NumberFormatException e) {
            err.println("rlstream bench async --simulate: flags need numbers: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("rlstream bench async --simulate: " + e.getMessage());
            return 2;
        }
        if (runDir == null) {
            runDir = BenchCommand.timestampedRunDir("bench-async-sim");
        }
        AsyncSimulation.Settings d = AsyncSimulation.defaults(etas, runDir.toAbsolutePath());
        AsyncSimulation.Settings s = new AsyncSimulation.Settings(d.etas(), generators == null ? d.generators() : generators,
                batches == null ? d.batches() : batches, d.batchGroups(), d.groupSize(), d.timing(),
                d.trainSecondsPerToken(), d.seed(), d.runDir());
        try {
            String table = AsyncSimulation.format(AsyncSimulation.run(s, out), s);
            out.println();
            out.print(table);
            Files.createDirectories(s.runDir());
            Files.writeString(s.runDir().resolve("async-simulated.txt"), table);
            return 0;
        } catch (Exception e) {
            err.println("rlstream bench async --simulate failed: " + e);
            return 1;
        }
    }

    /** The demo's settings for one run: η, the in-flight cap it needs, and the trainer's off-policy setting. */
    static DemoSettings demoSettings(Settings s, Path dir, int eta, boolean correction) {
        DemoSettings d = DemoSettings.defaults(dir).withSeed(s.seed()).withTarget(s.target())
                .withBudget(Duration.ofMillis(Math.round(s.minutes() * 60_000)));
        Map<String, String> processors = new LinkedHashMap<>();
        processors.put("dispatch.max-staleness", Integer.toString(eta));
        processors.put("dispatch.max-in-flight-groups", Integer.toString((eta + 2) * d.batchGroups()));
        Map<String, String> trainer = correction ? Map.of()
                : Map.of("trainer.offpolicy.decoupled", "false", "trainer.offpolicy.correction", "none");
        return d.withProcessorSettings(processors).withTrainerSettings(trainer);
    }

    private static Run runOne(Settings settings, int eta, boolean correction, PrintStream out) throws Exception {
        Path dir = settings.runDir().resolve("eta-" + eta + (correction ? "-corrected" : "-plain"));
        Files.createDirectories(dir);
        Demo.Result result;
        try (LocalPlatform platform = LocalPlatform.start(dir.resolve("platform"), TopicCatalog.defaults(), out)) {
            result = new Demo(demoSettings(settings, dir, eta, correction), platform.bootstrapServers(),
                    platform.registryUrl(), out).dashboardPort(-1).run(); // no dashboard: measure the pipeline alone
        }
        double[] staleness = staleness(dir.resolve("metrics.csv"));
        return new Run(eta, correction, result, staleness[0], staleness[1]);
    }

    /** Mean of the per-step mean staleness, and the largest per-step maximum, from a run's metrics.csv. */
    static double[] staleness(Path metricsCsv) throws IOException {
        List<String> lines = Files.readAllLines(metricsCsv);
        List<String> header = Arrays.asList(lines.get(0).split(","));
        int mean = header.indexOf("staleness_mean");
        int max = header.indexOf("staleness_max");
        double sum = 0;
        double largest = 0;
        int n = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            if (mean >= 0 && mean < cells.length && !cells[mean].isEmpty()) {
                sum += Double.parseDouble(cells[mean]);
                n++;
            }
            if (max >= 0 && max < cells.length && !cells[max].isEmpty()) {
                largest = Math.max(largest, Double.parseDouble(cells[max]));
            }
        }
        return new double[] {n == 0 ? Double.NaN : sum / n, largest};
    }

    static final List<String> FLAGS = List.of("etas", "corrections", "minutes", "target", "seed", "run-dir");

    static Settings parse(List<String> args) {
        BenchCommand.DemoRunFlags demo = new BenchCommand.DemoRunFlags(5);
        Map<String, String> flags = demo.readFrom(args, FLAGS);
        List<Integer> etas = List.of(0, 1, 2, 4, 8);
        if (flags.containsKey("etas")) {
            try {
                etas = Arrays.stream(flags.get("etas").split(",")).map(String::trim).map(Integer::parseInt).toList();
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--etas needs numbers, got '" + flags.get("etas") + "'");
            }
        }
        List<Boolean> corrections = !flags.containsKey("corrections") ? List.of(true, false)
                : Arrays.stream(flags.get("corrections").split(",")).map(String::trim).map(c -> switch (c) {
                    case "on" -> true;
                    case "off" -> false;
                    default -> throw new IllegalArgumentException("--corrections takes on and off, got '" + c + "'");
                }).toList();
        return new Settings(etas, corrections, demo.minutes, demo.target, demo.seed, demo.runDir("bench-async"));
    }

    /** Busy seconds of generation and training in a run: RL time less each side's idle share. */
    static double[] busySeconds(Demo.Result r) {
        return new double[] {(1 - r.generatorIdle()) * r.rlSeconds(), (1 - r.trainerIdle()) * r.rlSeconds()};
    }

    /** (gen + train) / max(gen, train): the speedup perfect overlap would give. */
    static double overlapLimit(double gen, double train) {
        return (gen + train) / Math.max(gen, train);
    }

    static String format(List<Run> runs, Settings settings) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "asynchronous RL on the demo: seed %d, budget %.1f min, target %.0f%%%n",
                settings.seed(), settings.minutes(), 100 * settings.target()));
        s.append(String.format(Locale.ROOT, "%4s %-10s %8s %10s %10s %9s %9s %10s %9s %7s %9s%n", "eta", "off-policy",
                "target", "s to it", "samples/s", "trainer", "generator", "staleness", "max stale", "final", "speedup"));
        for (Run r : runs) {
            Demo.Result d = r.result();
            Run base = runs.stream().filter(x -> x.eta() == 0 && x.correction() == r.correction()).findFirst().orElse(null);
            boolean reached = d.samplesToTarget() >= 0;
            String speedup = base != null && reached && base.result().samplesToTarget() >= 0
                    ? String.format(Locale.ROOT, "%.2fx", base.result().secondsToTarget() / d.secondsToTarget()) : "-";
            s.append(String.format(Locale.ROOT, "%4d %-10s %8s %10s %10.0f %8.0f%% %8.0f%% %10.2f %9.0f %6.1f%% %9s%n",
                    r.eta(), r.correction() ? "on" : "off", reached ? "yes" : "no",
                    reached ? String.format(Locale.ROOT, "%.0f", d.secondsToTarget()) : "-", d.samplesPerSecond(),
                    100 * d.trainerIdle(), 100 * d.generatorIdle(), r.stalenessMean(), r.stalenessMax(),
                    100 * d.finalAccuracy(), speedup));
        }
        runs.stream().filter(r -> r.eta() == 0).findFirst().ifPresent(r -> {
            double[] busy = busySeconds(r.result());
            s.append(String.format(Locale.ROOT, "overlap limit of the eta = 0 run: generation %.0f s + training %.0f s busy "
                    + "-> (gen + train) / max(gen, train) = %.2fx%n", busy[0], busy[1], overlapLimit(busy[0], busy[1])));
        });
        s.append("""
                trainer / generator: share of the RL time each waited for work; staleness: mean over steps of the batch's
                mean (trained version - sample version); speedup: eta 0's seconds to the target over this run's, same setting
                """);
        return s.toString();
    }

    static String csv(List<Run> runs) {
        StringBuilder s = new StringBuilder("eta,correction,reached,seconds_to_target,samples_to_target,samples_per_second,"
                + "trainer_idle,generator_idle,staleness_mean,staleness_max,final_accuracy,steps,rl_seconds\n");
        for (Run r : runs) {
            Demo.Result d = r.result();
            s.append(String.format(Locale.ROOT, "%d,%s,%b,%.1f,%d,%.1f,%.4f,%.4f,%.3f,%.0f,%.4f,%d,%.1f%n", r.eta(),
                    r.correction() ? "on" : "off", d.samplesToTarget() >= 0, d.secondsToTarget(), d.samplesToTarget(),
                    d.samplesPerSecond(), d.trainerIdle(), d.generatorIdle(), r.stalenessMean(), r.stalenessMax(),
                    d.finalAccuracy(), d.steps(), d.rlSeconds()));
        }
        return s.toString();
    }
}
