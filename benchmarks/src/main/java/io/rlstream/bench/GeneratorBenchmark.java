package io.rlstream.bench;

import io.rlstream.config.CommandExecution;
import io.rlstream.events.CheckpointPublished;
import io.rlstream.events.PromptDispatch;
import io.rlstream.events.Rollout;
import io.rlstream.events.SampleStatus;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.model.task.AdditionTask;
import io.rlstream.model.task.Problem;
import io.rlstream.ops.GeneratorServerProcess;
import io.rlstream.producers.rollouts.RolloutGenerator;
import io.rlstream.producers.rollouts.WorkerConfig;
import io.rlstream.tokens.Tokens;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rlstream bench generator}: the same dispatched groups generated (a) in process by the
 * worker's local generator and (b) by {@code rlstream serve} in a process of its own, called over
 * HTTP by the worker's sglang backend (HttpGenerator, at most --concurrency requests in flight);
 * rollouts/s and generated tokens/s side by side, then the weight-sync time per checkpoint: the
 * server loading a saved checkpoint folder (update_weights_from_disk) --syncs times, p50 and p99.
 * No Kafka: the generators are driven directly, in chunks of the worker's worker.max-dispatches
 * (what one poll hands them).
 */
@Command(name = "generator", description = GeneratorBenchmark.DESCRIPTION, footer = GeneratorBenchmark.FOOTER, sortOptions = false)
public final class GeneratorBenchmark extends BenchCommand.Parsed {

    /** What the command does, above its flags in {@code --help}. */
    static final String DESCRIPTION = """
            Generates the same dispatched groups twice: in process (generate.backend=local, the
            worker's DJL sampler) and through `rlstream serve` started in a process of its own
            (generate.backend=sglang over HTTP), and prints rollouts/s and generated tokens/s of
            both with their ratio, then the time the server takes to load a saved checkpoint
            (POST /update_weights_from_disk as the worker sends it), --syncs times: p50 and p99.
            Prompts are the first N of the demo's addition train split; both sides generate them
            in chunks of worker.max-dispatches (16) groups, after one unmeasured warm-up chunk.
            """;

    /** Below the flags in {@code --help}. */
    static final String FOOTER = """

            Exit codes: 0 measured; 1 failure; 2 wrong usage.
            """;

    /** Groups per generate call: worker.max-dispatches' default, what one poll of the worker hands its generator. */
    static final int CHUNK = (Integer) WorkerConfig.DEFINITION.defaultValues().get(WorkerConfig.MAX_DISPATCHES);

    /** Labels of the table's rows. */
    static final String LOCAL_LABEL = "local (in process)";
    static final String SERVE_LABEL = "serve (rlstream serve, HTTP)";

    /** What to measure. */
    record Settings(int requests, int groupSize, int maxNewTokens, int concurrency, int syncs, Path model, long seed,
            Path runDir) {
        Settings {
            if (requests < 1 || groupSize < 1 || maxNewTokens < 1 || concurrency < 1 || syncs < 1) {
                throw new IllegalArgumentException("--requests, --group-size, --max-new-tokens, --concurrency and --syncs"
                        + " must be >= 1");
            }
            if (model != null && !Files.isDirectory(model)) {
                throw new IllegalArgumentException("--model " + model + " is not a folder");
            }
        }
    }

    /**
     * One side's generation.
     *
     * @param rollouts rollouts returned (OK and FAILED)
     * @param failed   FAILED rollouts among them
     * @param tokens   response tokens of the OK rollouts
     */
    record Side(long rollouts, long failed, long tokens, double seconds) {
        double rolloutsPerSecond() {
            return rollouts / seconds;
        }

        double tokensPerSecond() {
            return tokens / seconds;
        }
    }

    /** The measurement: both sides and the weight-sync times in seconds, in the order measured. */
    record Result(Settings settings, Side local, Side serve, double[] syncSeconds, long syncFailures) {
    }

    /** A command object for picocli (a subcommand of {@code rlstream bench}). */
    public GeneratorBenchmark() {
    }

    @Option(names = "--requests", paramLabel = "N", description = "Dispatched groups (one HTTP request each) (default 64).")
    String requests;

    @Option(names = "--group-size", paramLabel = "G", description = "Responses per prompt, n (default 8, the demo's).")
    String groupSize;

    @Option(names = "--max-new-tokens", paramLabel = "T", description = "Response limit in tokens (default 5, the demo's).")
    String maxNewTokens;

    @Option(names = "--concurrency", paramLabel = "C", description = "Requests in flight to the server, generate.max-concurrency (default 8, the worker's).")
    String concurrency;

    @Option(names = "--syncs", paramLabel = "S", description = "Checkpoint loads timed (default 20).")
    String syncs;

    @Option(names = "--model", paramLabel = "DIR", description = "A Hugging Face model folder (default: the demo's tiny policy, freshly initialised with --seed).")
    String model;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the tiny policy and of sampling (default 7).")
    String seed;

    @Option(names = "--run-dir", paramLabel = "DIR", description = "Where the policy, the checkpoint and generator.log go (default runs/bench-generator-<timestamp>).")
    String runDir;

    @Override
    int parsed(List<String> args, PrintStream out, PrintStream err) {
        return runParsed(args, out, err);
    }

    /** {@code rlstream bench generator [flags]}: see {@code --help}. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return CommandExecution.execute(new GeneratorBenchmark(), "rlstream bench generator", args, out, err);
    }

    static int runParsed(List<String> args, PrintStream out, PrintStream err) {
        return BenchCommand.run("generator", args, out, err, GeneratorBenchmark::parse, settings -> {
            Result result = measure(settings, out);
            out.println();
            out.print(format(result));
            out.flush();
            return result.local().failed() + result.serve().failed() + result.syncFailures() == 0 ? 0 : 1;
        });
    }

    static Settings parse(List<String> args) {
        Map<String, String> f = BenchCommand.flags(args, List.of("requests", "group-size", "max-new-tokens", "concurrency",
                "syncs", "model", "seed", "run-dir"));
        long seed;
        try {
            seed = Long.parseLong(f.getOrDefault("seed", "7"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--seed expects a whole number, got '" + f.get("seed") + "'");
        }
        return new Settings(BenchCommand.integer("requests", f.getOrDefault("requests", "64")),
                BenchCommand.integer("group-size", f.getOrDefault("group-size", "8")),
                BenchCommand.integer("max-new-tokens", f.getOrDefault("max-new-tokens", "5")),
                BenchCommand.integer("concurrency", f.getOrDefault("concurrency", "8")),
                BenchCommand.integer("syncs", f.getOrDefault("syncs", "20")),
                f.containsKey("model") ? Path.of(f.get("model")).toAbsolutePath() : null, seed,
                (f.containsKey("run-dir") ? Path.of(f.get("run-dir")) : BenchCommand.timestampedRunDir("bench-generator"))
                        .toAbsolutePath());
    }

    static Result measure(Settings s, PrintStream out) throws Exception {
        Files.createDirectories(s.runDir());
        Path model = s.model();
        if (model == null) {
            model = s.runDir().resolve("policy");
            try (Policy p = Policy.create(PolicyConfig.demo(), s.seed())) {
                p.save(model, Map.of("policy_name", "demo", "version", "0"));
            }
        }
        // The checkpoint the server loads: the same weights under another version, as the trainer publishes.
        Path checkpoint = s.runDir().resolve("checkpoint");
        copyFolder(model, checkpoint);
        List<PromptDispatch> dispatches = dispatches(s);
        CheckpointPublished first = checkpoint(model, 0);

        out.printf("local: %d groups of %d, up to %d new tokens...%n", s.requests(), s.groupSize(), s.maxNewTokens());
        Side local;
        try (RolloutGenerator generator = RolloutGenerator.open(new WorkerConfig(workerSettings(s, Map.of())), first)) {
            local = generate(generator, dispatches);
        }
        out.printf("serve: starting rlstream serve on %s...%n", model);
        try (GeneratorServerProcess server = GeneratorServerProcess.start(s.runDir(), model, "0",
                GeneratorServerProcess.DEFAULT_START_TIMEOUT)) {
            WorkerConfig config = new WorkerConfig(workerSettings(s, Map.of(WorkerConfig.BACKEND, "sglang",
                    WorkerConfig.URL, server.baseUrl(), WorkerConfig.MAX_CONCURRENCY, Integer.toString(s.concurrency()))));
            try (RolloutGenerator generator = RolloutGenerator.open(config, first)) {
                out.printf("serve: %s (pid %d), %d requests in flight at most...%n", server.baseUrl(), server.pid(),
                        s.concurrency());
                Side serve = generate(generator, dispatches);
                out.printf("serve: %d checkpoint loads...%n", s.syncs());
                double[] syncs = new double[s.syncs()];
                long failures = 0;
                for (int i = 0; i < s.syncs(); i++) {
                    // as the trainer writes it: the folder's metadata.json names the version it is announced as
                    // (the worker refuses a folder announced under another version: issue 19)
                    Files.writeString(checkpoint.resolve("metadata.json"),
                            "{\"policy_name\": \"demo\", \"version\": \"" + (i + 1) + "\"}");
                    RolloutGenerator.WeightSync sync = generator.load(checkpoint(checkpoint, i + 1));
                    syncs[i] = sync.seconds();
                    if (!sync.ok()) {
                        failures++;
                        out.println("serve: weight sync " + (i + 1) + " failed: " + sync.failure());
                    }
                }
                return new Result(s, local, serve, syncs, failures);
            }
        }
    }

    /** The worker's settings for a run without Kafka (the generators read no broker or registry address). */
    private static Map<String, String> workerSettings(Settings s, Map<String, String> extra) {
        Map<String, String> m = new HashMap<>(Map.of("bootstrap.servers", "127.0.0.1:9", "registry.url",
                "http://127.0.0.1:9", WorkerConfig.SEED, Long.toString(s.seed())));
        m.putAll(extra);
        return m;
    }

    /** A warm-up chunk (not measured), then every dispatch in chunks of worker.max-dispatches. */
    static Side generate(RolloutGenerator generator, List<PromptDispatch> dispatches) throws InterruptedException {
        int chunk = CHUNK;
        generator.generate(dispatches.subList(0, Math.min(chunk, dispatches.size())));
        long rollouts = 0;
        long failed = 0;
        long tokens = 0;
        long start = System.nanoTime();
        for (int from = 0; from < dispatches.size(); from += chunk) {
            for (Rollout r : generator.generate(dispatches.subList(from, Math.min(from + chunk, dispatches.size())))) {
                rollouts++;
                if (r.getStatus() == SampleStatus.OK) {
                    tokens += Tokens.responseLength(r);
                } else {
                    failed++;
                }
            }
        }
        return new Side(rollouts, failed, tokens, (System.nanoTime() - start) / 1e9);
    }

    /** The first N prompts of the demo's train split (cycled if N is larger), temperature 1. */
    static List<PromptDispatch> dispatches(Settings s) {
        List<Problem> train = AdditionTask.standard().train();
        List<PromptDispatch> out = new ArrayList<>();
        for (int i = 0; i < s.requests(); i++) {
            Problem p = train.get(i % train.size());
            out.add(PromptDispatch.newBuilder().setGroupId("bench-" + i).setPromptId(p.id()).setPromptText(p.prompt())
                    .setGroupSize(s.groupSize()).setTemperature(1.0f).setMaxNewTokens(s.maxNewTokens()).setPolicyVersion(0)
                    .setDispatchedAt(Instant.now()).build());
        }
        return out;
    }

    private static CheckpointPublished checkpoint(Path folder, long version) {
        return CheckpointPublished.newBuilder().setPolicyName("demo").setVersion(version).setUri(folder.toUri().toString())
                .setStep(version).setCreatedAt(Instant.now()).build();
    }

    private static void copyFolder(Path from, Path to) throws java.io.IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, to.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** The nearest-rank percentile q (0..1) of the values. */
    static double percentile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static String format(Result r) {
        Settings s = r.settings();
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "%-30s%10s%10s%10s%12s%12s%n", "", "rollouts", "tokens", "seconds",
                "rollouts/s", "tokens/s"));
        t.append(row(LOCAL_LABEL, r.local()));
        t.append(row(SERVE_LABEL, r.serve()));
        t.append(String.format(Locale.ROOT, "%-30s%10s%10s%10s%12s%12s%n", "ratio serve / local", "", "", "",
                ratio(r.serve().rolloutsPerSecond(), r.local().rolloutsPerSecond()),
                ratio(r.serve().tokensPerSecond(), r.local().tokensPerSecond())));
        t.append(String.format(Locale.ROOT, "weight sync per checkpoint (update_weights_from_disk, %d loads): p50 %.3f s,"
                        + " p99 %.3f s, max %.3f s%s%n", r.syncSeconds().length, percentile(r.syncSeconds(), 0.5),
                percentile(r.syncSeconds(), 0.99), Arrays.stream(r.syncSeconds()).max().orElse(Double.NaN),
                r.syncFailures() == 0 ? "" : ", " + r.syncFailures() + " FAILED"));
        t.append(String.format(Locale.ROOT, "data: %d groups of G=%d, up to %d new tokens, temperature 1; chunks of %d"
                        + " groups; serve: at most %d requests in flight; tokens = response tokens of OK rollouts%n",
                s.requests(), s.groupSize(), s.maxNewTokens(), CHUNK, s.concurrency()));
        if (r.local().failed() + r.serve().failed() > 0) {
            t.append(String.format(Locale.ROOT, "FAILED rollouts: local %d, serve %d (see generator.log)%n", r.local().failed(),
                    r.serve().failed()));
        }
        return t.toString();
    }

    private static String row(String label, Side side) {
        return String.format(Locale.ROOT, "%-30s%10d%10d%10.3f%12.1f%12.1f%n", label, side.rollouts(), side.tokens(),
                side.seconds(), side.rolloutsPerSecond(), side.tokensPerSecond());
    }

    private static String ratio(double a, double b) {
        return b > 0 && Double.isFinite(a / b) ? String.format(Locale.ROOT, "%.2f", a / b) : "-";
    }
}
