package io.rlstream.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import io.rlstream.config.CommandExecution;
import io.rlstream.model.decoder.DecoderModel;
import io.rlstream.model.decoder.ModelDevice;
import io.rlstream.model.decoder.ResponseScorer;
import io.rlstream.model.folder.ModelFolder;
import io.rlstream.model.folder.ModelInit;
import io.rlstream.model.generate.Completion;
import io.rlstream.model.generate.DecoderGenerator;
import io.rlstream.model.generate.SamplingParams;
import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.model.safetensors.Dtype;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rlstream bench model}: training and generation speed of Hugging Face decoder models on
 * this machine, next to the fp32 matmul peak measured in the same run.
 *
 * <p>Per model: {@link ResponseScorer#backward} over a batch of random token ids (B rows of P prompt
 * and R response tokens) with a policy-gradient loss {@code -sum(logπ · A · mask) / tokens} at a
 * constant advantage A = 1, then the gradients cleared: one step; W untimed steps, then N timed,
 * the median reported. Achieved FLOP/s by {@link ModelFlops} as a share of the peak. Then
 * generation with the KV cache ({@link DecoderGenerator}): a batch of random prompts, sampling at
 * temperature 1 with no stop tokens, so every row generates exactly the new tokens asked; one
 * untimed warm-up call, then timed calls, the median reported. For the smallest model also without
 * the cache ({@link DecoderGenerator.Mode#RECOMPUTE}), to show what the cache saves.
 *
 * <p>Peak: the best of {@value #PEAK_REPEATS} timed n × n fp32 matmuls after 2 untimed, on the
 * same device and with the same PyTorch threads as the models (the best, not the median: it is the
 * physical limit the models are compared with).
 */
@Command(name = "model", description = ModelBenchmark.DESCRIPTION, footer = ModelBenchmark.FOOTER, sortOptions = false)
public final class ModelBenchmark extends BenchCommand.Parsed {

    /** What the command does, above its flags in {@code --help}. */
    static final String DESCRIPTION = """
            Training and generation speed of Hugging Face decoder models, next to this machine's
            fp32 matmul peak measured in the same run with the same device and threads.

            Per model:
              training    one step = ResponseScorer.backward over B rows of P prompt + R response
                          tokens (random ids) with loss -sum(logprob * A)/tokens, A = 1, then the
                          gradients cleared; median of the timed steps
              generation  DecoderGenerator with the KV cache, a batch of random P-token prompts,
                          sampling at temperature 1 without stop tokens (every row generates
                          exactly --new-tokens); median of the timed batches. The smallest size
                          (the first --model) also without the cache, unless --recompute none
            """;

    /** Below the flags in {@code --help}. */
    static final String FOOTER = """

            Columns: params = the model's parameter count; step s = seconds per training step;
            train tok/s = B x (P + R - 1) positions through the decoder per second; GFLOP/s =
            6 x body parameters x positions + PaLM's attention term + 6 x vocab x hidden x
            response tokens (the output head runs on response positions only), per second;
            %% peak = that over the matmul peak; gen tok/s = generated tokens per second; gen s =
            seconds per generation batch.

            Exit codes: 0 measured; 1 failure; 2 wrong usage.
            """;

    static final List<String> VALUE_FLAGS = List.of("sizes", "batch", "prompt-tokens", "response-tokens",
            "steps", "warmup-steps", "gen-batch", "new-tokens", "gen-runs", "recompute", "matmul-size", "threads",
            "device", "seed", "out");

    static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";
    static final String INTEROP_PROPERTY = "ai.djl.pytorch.num_interop_threads";
    static final int PEAK_REPEATS = 5;
    static final String CSV = "model-bench.csv";
    /** Output-head chunks hold at most this many fp32 logits (64 MiB). */
    static final long MAX_LOGIT_ELEMENTS = 1L << 24;

    /** Generation without the KV cache for which models. */
    enum Recompute { SMALLEST, ALL, NONE }

    /**
     * What to measure.
     *
     * @param sizes      parameter counts of random models (empty when {@code models} are given)
     * @param models     model folders (empty when {@code sizes} are given)
     * @param threads    PyTorch threads; null: as configured
     * @param device     null: the model.device setting
     * @param out        folder of the CSV; null: none
     */
    record Settings(List<Long> sizes, List<Path> models, int batch, int promptTokens, int responseTokens,
                    int steps, int warmupSteps, int genBatch, int newTokens, int genRuns, Recompute recompute,
                    int matmulSize, Integer threads, ModelDevice device, long seed, Path out) {

        Settings {
            sizes = List.copyOf(sizes);
            models = List.copyOf(models);
            require(sizes.isEmpty() != models.isEmpty(), "give --sizes or --model, not both");
            require(batch >= 1, "--batch must be >= 1, got " + batch);
            require(promptTokens >= 1, "--prompt-tokens must be >= 1, got " + promptTokens);
            require(responseTokens >= 1, "--response-tokens must be >= 1, got " + responseTokens);
            require(steps >= 1, "--steps must be >= 1, got " + steps);
            require(warmupSteps >= 0, "--warmup-steps must be >= 0, got " + warmupSteps);
            require(genBatch >= 1, "--gen-batch must be >= 1, got " + genBatch);
            require(newTokens >= 1, "--new-tokens must be >= 1, got " + newTokens);
            require(genRuns >= 1, "--gen-runs must be >= 1, got " + genRuns);
            require(matmulSize >= 16 && matmulSize <= 32768, "--matmul-size must be in 16..32768, got " + matmulSize);
            require(threads == null || threads >= 1, "--threads must be >= 1, got " + threads);
        }

        static Settings defaults() {
            return new Settings(List.of(1_000_000L, 10_000_000L), List.of(), 8, 64, 64, 3, 1, 8, 32, 3,
                    Recompute.SMALLEST, 2048, null, null, 1, null);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    /** The matmul peak: n, and the best of the timed repeats. */
    record Peak(int n, double seconds, double gflops) {}

    /**
     * One model's numbers.
     *
     * @param recomputeTokensPerSecond NaN when not measured
     */
    record Row(String label, DecoderConfig config, long parameters, double stepSeconds, double trainTokensPerSecond,
               double trainGflops, double percentOfPeak, double genSeconds, double genTokensPerSecond,
               double recomputeTokensPerSecond, float loss) {}

    record Result(Settings settings, String engine, String device, int threads, int interopThreads, Peak peak,
                  List<Row> rows) {}

    /** A command object for picocli (a subcommand of {@code rlstream bench}). */
    public ModelBenchmark() {
    }

    @Option(names = "--sizes", paramLabel = "S[,S...]", description = "Random llama models of about these parameter counts (k, M, B: 10^3, 10^6, 10^9), written with ModelInit to a temporary folder and loaded from it; the shape chosen is printed (default 1M,10M).")
    String sizes;

    @Option(names = "--model", paramLabel = "DIR", description = "A Hugging Face model folder (llama, qwen2, qwen3); repeatable.")
    List<String> model;

    @Option(names = "--batch", paramLabel = "B", description = "Training rows per step (default 8).")
    String batch;

    @Option(names = "--prompt-tokens", paramLabel = "P", description = "Prompt tokens per row, training and generation (default 64).")
    String promptTokens;

    @Option(names = "--response-tokens", paramLabel = "R", description = "Response tokens per training row (default 64).")
    String responseTokens;

    @Option(names = "--steps", paramLabel = "N", description = "Timed training steps per model (default 3).")
    String steps;

    @Option(names = "--warmup-steps", paramLabel = "W", description = "Untimed training steps first (default 1).")
    String warmupSteps;

    @Option(names = "--gen-batch", paramLabel = "G", description = "Prompts per generation batch (default 8).")
    String genBatch;

    @Option(names = "--new-tokens", paramLabel = "T", description = "Tokens generated per prompt (default 32).")
    String newTokens;

    @Option(names = "--gen-runs", paramLabel = "K", description = "Timed generation batches per model (default 3).")
    String genRuns;

    @Option(names = "--recompute", paramLabel = "WHICH", description = "Generation without the KV cache too: smallest (default), all or none.")
    String recompute;

    @Option(names = "--matmul-size", paramLabel = "N", description = "N of the n x n fp32 matmul of the peak (default 2048).")
    String matmulSize;

    @Option(names = "--threads", paramLabel = "T", description = "PyTorch intra-op and inter-op threads (default: as configured, 1 x 1 unless -Dai.djl.pytorch.num_threads says else).")
    String threads;

    @Option(names = "--device", paramLabel = "D", description = "cpu, gpu or auto (default: the model.device setting, cpu unless -Drlstream.model.device / RLSTREAM_MODEL_DEVICE say else; gpu needs a CUDA libtorch: docs/operations.md#gpu).")
    String device;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the weights and token ids (default 1).")
    String seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Also write DIR/model-bench.csv.")
    String outDir;

    @Override
    int parsed(List<String> args, PrintStream out, PrintStream err) {
        return runParsed(args, out, err);
    }

    /** {@code rlstream bench model [flags]}: see {@code --help}. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return CommandExecution.execute(new ModelBenchmark(), "rlstream bench model", args, out, err);
    }

    /** Runs the benchmark standalone: {@code java -cp ... io.rlstream.bench.ModelBenchmark [flags]}. */
    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.out, System.err));
    }

    /** Runs the benchmark from command-line flags; returns the exit code. */
    static int runParsed(List<String> args, PrintStream out, PrintStream err) {
        return BenchCommand.run("model", args, out, err, ModelBenchmark::parse, settings -> {
            Result result = measure(settings, out);
            out.println();
            out.print(ModelBenchmarkReport.format(result));
            if (settings.out() != null) {
                Files.createDirectories(settings.out());
                Path csv = settings.out().resolve(CSV);
                Files.writeString(csv, ModelBenchmarkReport.csv(result));
                out.println("wrote " + csv);
            }
            out.flush();
            return 0;
        });
    }

    /** Flags to settings; {@link IllegalArgumentException} with a message for the user on anything wrong. */
    static Settings parse(List<String> args) {
        // --model is repeatable: take its values out before the one-value-per-flag parsing
        List<Path> models = new ArrayList<>();
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--model")) {
                if (i + 1 >= args.size() || args.get(i + 1).isBlank()) {
                    throw new IllegalArgumentException("flag --model needs a value");
                }
                models.add(Path.of(args.get(++i)));
            } else if (arg.startsWith("--model=")) {
                models.add(Path.of(arg.substring("--model=".length())));
            } else {
                rest.add(arg);
            }
        }
        Settings d = Settings.defaults();
        List<Long> sizes = models.isEmpty() ? d.sizes() : List.of();
        int batch = d.batch();
        int promptTokens = d.promptTokens();
        int responseTokens = d.responseTokens();
        int steps = d.steps();
        int warmup = d.warmupSteps();
        int genBatch = d.genBatch();
        int newTokens = d.newTokens();
        int genRuns = d.genRuns();
        Recompute recompute = d.recompute();
        int matmulSize = d.matmulSize();
        Integer threads = d.threads();
        ModelDevice device = d.device();
        long seed = d.seed();
        Path out = d.out();
        List<String> known = new ArrayList<>(VALUE_FLAGS);
        known.add("model");
        for (Map.Entry<String, String> flag : BenchCommand.flags(rest, known).entrySet()) {
            String name = flag.getKey();
            String value = flag.getValue();
            switch (name) {
                case "sizes" -> {
                    if (!models.isEmpty()) {
                        throw new IllegalArgumentException("give --sizes or --model, not both");
                    }
                    List<Long> list = new ArrayList<>();
                    for (String part : value.split(",", -1)) {
                        long count = ModelShape.parseCount(part);
                        ModelShape.forParameters(count); // a size out of range fails here, before any work
                        list.add(count);
                    }
                    sizes = list;
                }
                case "batch" -> batch = BenchCommand.integer(name, value);
                case "prompt-tokens" -> promptTokens = BenchCommand.integer(name, value);
                case "response-tokens" -> responseTokens = BenchCommand.integer(name, value);
                case "steps" -> steps = BenchCommand.integer(name, value);
                case "warmup-steps" -> warmup = BenchCommand.integer(name, value);
                case "gen-batch" -> genBatch = BenchCommand.integer(name, value);
                case "new-tokens" -> newTokens = BenchCommand.integer(name, value);
                case "gen-runs" -> genRuns = BenchCommand.integer(name, value);
                case "matmul-size" -> matmulSize = BenchCommand.integer(name, value);
                case "threads" -> threads = BenchCommand.integer(name, value);
                case "recompute" -> recompute = switch (value) {
                    case "smallest" -> Recompute.SMALLEST;
                    case "all" -> Recompute.ALL;
                    case "none" -> Recompute.NONE;
                    default -> throw new IllegalArgumentException("--recompute must be smallest, all or none, got '"
                            + value + "'");
                };
                case "device" -> {
                    try {
                        device = ModelDevice.parse(value);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("--device must be cpu, gpu or auto, got '" + value + "'");
                    }
                }
                case "seed" -> {
                    try {
                        seed = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--seed expects a whole number, got '" + value + "'");
                    }
                }
                case "out" -> out = Path.of(value);
                default -> throw new IllegalStateException(name);
            }
        }
        return new Settings(sizes, models, batch, promptTokens, responseTokens, steps, warmup, genBatch, newTokens,
                genRuns, recompute, matmulSize, threads, device, seed, out);
    }

    /** Measures the peak, then every model in turn; progress lines go to {@code progress}. */
    static Result measure(Settings s, PrintStream progress) throws IOException {
        // As Policy does (model/README.md#threads): 1 x 1 unless configured; --threads wins.
        if (s.threads() != null) {
            System.setProperty(THREADS_PROPERTY, s.threads().toString());
            System.setProperty(INTEROP_PROPERTY, s.threads().toString());
        } else {
            System.getProperties().putIfAbsent(THREADS_PROPERTY, "1");
            System.getProperties().putIfAbsent(INTEROP_PROPERTY, "1");
        }
        Engine engine = Engine.getEngine("PyTorch");
        if (s.threads() != null && JniUtils.getNumThreads() != s.threads()) {
            JniUtils.setNumThreads(s.threads()); // the engine had started already (inter-op cannot change)
        }
        ModelDevice setting = s.device() != null ? s.device() : ModelDevice.configured();
        Device device = setting.resolve(engine);
        String engineName = engine.getEngineName() + " " + engine.getVersion();
        progress.printf("rlstream bench model: engine %s, device %s (model.device %s), PyTorch threads %d intra-op "
                + "x %d inter-op, %d cores%n", engineName, device, setting.value(), JniUtils.getNumThreads(),
                JniUtils.getNumInteropThreads(), Runtime.getRuntime().availableProcessors());
        progress.printf("training B %d x (P %d + R %d), %d steps (+ %d warm-up); generation %d prompts x %d new "
                + "tokens, %d batches (+ 1 warm-up)%n", s.batch(), s.promptTokens(), s.responseTokens(), s.steps(),
                s.warmupSteps(), s.genBatch(), s.newTokens(), s.genRuns());
        Peak peak = matmulPeak(device, s.matmulSize());
        progress.printf("fp32 matmul peak: %.1f GFLOP/s (%d x %d, best of %d: %.3f s)%n", peak.gflops(), peak.n(),
                peak.n(), PEAK_REPEATS, peak.seconds());
        progress.flush();

        List<Row> rows = new ArrayList<>();
        int count = s.models().isEmpty() ? s.sizes().size() : s.models().size();
        int smallest = smallestIndex(s);
        for (int i = 0; i < count; i++) {
            boolean recompute = s.recompute() == Recompute.ALL || (s.recompute() == Recompute.SMALLEST && i == smallest);
            if (s.models().isEmpty()) {
                long target = s.sizes().get(i);
                ModelShape shape = ModelShape.forParameters(target);
                progress.printf("%s: %s%n", ModelShape.label(target), shape.describe());
                Path dir = Files.createTempDirectory("rlstream-bench-model");
                try {
                    Path folder = dir.resolve("model");
                    new ModelInit(DecoderArchitecture.LLAMA, shape.layers(), shape.hidden(), shape.heads(),
                            shape.heads(), shape.intermediate(), null, shape.vocab(), true, s.seed(), Dtype.F32)
                            .write(ModelInit.DEMO_TOKENIZER, folder);
                    try (DecoderModel model = ModelFolder.open(folder).loadModel(device)) {
                        rows.add(measureOne(ModelShape.label(target), model, s, peak, recompute, progress));
                    }
                } finally {
                    deleteTree(dir);
                }
            } else {
                Path dir = s.models().get(i);
                try (DecoderModel model = ModelFolder.open(dir).loadModel(device)) {
                    progress.printf("%s: %s, %d layers, hidden %d, %d heads (%d kv), intermediate %d, vocab %d%n",
                            dir, model.config().architecture().modelType(), model.config().numHiddenLayers(),
                            model.config().hiddenSize(), model.config().numAttentionHeads(),
                            model.config().numKeyValueHeads(), model.config().intermediateSize(),
                            model.config().vocabSize());
                    rows.add(measureOne(dir.getFileName().toString(), model, s, peak, recompute, progress));
                }
            }
        }
        return new Result(s, engineName, device.toString(), JniUtils.getNumThreads(), JniUtils.getNumInteropThreads(),
                peak, List.copyOf(rows));
    }

    /** The index of the smallest requested size (the first model for folders). */
    private static int smallestIndex(Settings s) {
        int best = 0;
        for (int i = 1; i < s.sizes().size(); i++) {
            if (s.sizes().get(i) < s.sizes().get(best)) {
                best = i;
            }
        }
        return best;
    }

    /** The best of {@value #PEAK_REPEATS} n × n fp32 matmuls (after 2 untimed) on {@code device}. */
    static Peak matmulPeak(Device device, int n) {
        try (NDManager manager = NDManager.newBaseManager(device, "PyTorch")) {
            manager.getEngine().setRandomSeed(1);
            NDArray a = manager.randomNormal(new ai.djl.ndarray.types.Shape(n, n));
            NDArray b = manager.randomNormal(new ai.djl.ndarray.types.Shape(n, n));
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 2 + PEAK_REPEATS; i++) {
                try (NDManager scope = manager.newSubManager()) {
                    long t0 = System.nanoTime();
                    NDArray c = a.matMul(b);
                    c.attach(scope);
                    c.get(0, 0).getFloat(); // waits for the product (a GPU runs it asynchronously)
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    if (i >= 2) {
                        best = Math.min(best, seconds);
                    }
                }
            }
            return new Peak(n, best, ModelFlops.squareMatmul(n) / best / 1e9);
        }
    }

    private static Row measureOne(String label, DecoderModel model, Settings s, Peak peak, boolean recompute,
            PrintStream progress) {
        DecoderConfig c = model.config();
        long parameters = 0;
        for (Pair<String, Parameter> p : model.network().getParameters()) {
            parameters += p.getValue().getArray().getShape().size();
        }
        SplittableRandom random = new SplittableRandom(s.seed());
        List<int[]> prompts = randomRows(random, s.batch(), s.promptTokens(), c.vocabSize());
        List<int[]> responses = randomRows(random, s.batch(), s.responseTokens(), c.vocabSize());
        ResponseScorer scorer = new ResponseScorer(model,
                ResponseScorer.chunkFor(MAX_LOGIT_ELEMENTS, s.batch(), c.vocabSize()));
        // REINFORCE-style policy-gradient loss at a constant advantage A = 1: -sum(logπ · A) / tokens
        ResponseScorer.LogprobLoss loss = (lp, mask) -> lp.mul(mask).sum().neg().div(mask.sum());
        double[] stepSeconds = new double[s.steps()];
        float lastLoss = Float.NaN;
        for (int i = 0; i < s.warmupSteps() + s.steps(); i++) {
            long t0 = System.nanoTime();
            lastLoss = scorer.backward(prompts, responses, 1.0, loss).loss();
            clearGradients(model);
            waitForDevice(model); // a GPU runs the decoder's backward asynchronously
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (i >= s.warmupSteps()) {
                stepSeconds[i - s.warmupSteps()] = seconds;
            }
            progress.printf("  %s: training step %d/%d%s %.3f s, loss %.4f%n", label, i + 1,
                    s.warmupSteps() + s.steps(), i < s.warmupSteps() ? " (warm-up)" : "", seconds, lastLoss);
            progress.flush();
        }
        double step = median(stepSeconds);
        double flops = ModelFlops.trainingStep(c, s.batch(), s.promptTokens(), s.responseTokens());
        double tokens = (double) s.batch() * ModelFlops.positions(s.promptTokens(), s.responseTokens());

        DecoderGenerator generator = new DecoderGenerator(model);
        List<int[]> genPrompts = randomRows(random, s.genBatch(), s.promptTokens(), c.vocabSize());
        double[] gen = generation(generator, genPrompts, s, DecoderGenerator.Mode.KV_CACHE, label, progress);
        double recomputeRate = Double.NaN;
        if (recompute) {
            recomputeRate = generation(generator, genPrompts, s, DecoderGenerator.Mode.RECOMPUTE, label, progress)[1];
        }
        return new Row(label, c, parameters, step, tokens / step, flops / step / 1e9,
                ModelFlops.percentOfPeak(flops, step, peak.gflops() * 1e9), gen[0], gen[1], recomputeRate, lastLoss);
    }

    /** {seconds per batch (median), generated tokens per second} of one generation mode. */
    private static double[] generation(DecoderGenerator generator, List<int[]> prompts, Settings s,
            DecoderGenerator.Mode mode, String label, PrintStream progress) {
        long[] seeds = new long[prompts.size()];
        for (int r = 0; r < seeds.length; r++) {
            seeds[r] = s.seed() * 1_000_003L + r;
        }
        SamplingParams params = SamplingParams.sample(1.0, 1.0, s.newTokens());
        generator.generate(prompts, params.withMaxNewTokens(Math.min(2, s.newTokens())), seeds, mode); // warm-up
        double[] seconds = new double[s.genRuns()];
        long tokens = 0;
        for (int i = 0; i < s.genRuns(); i++) {
            long t0 = System.nanoTime();
            List<Completion> out = generator.generate(prompts, params, seeds, mode);
            seconds[i] = (System.nanoTime() - t0) / 1e9;
            for (Completion completion : out) {
                tokens += completion.tokens().length;
            }
            progress.printf("  %s: generation (%s) batch %d/%d %.3f s%n", label,
                    mode == DecoderGenerator.Mode.KV_CACHE ? "KV cache" : "recompute", i + 1, s.genRuns(), seconds[i]);
            progress.flush();
        }
        double perBatch = median(seconds);
        return new double[] {perBatch, tokens / (double) s.genRuns() / perBatch};
    }

    /** Sets every parameter's gradient to zero (PyTorch accumulates them), as an optimizer step would. */
    static void clearGradients(DecoderModel model) {
        try (NDManager scope = model.newScope()) {
            for (Pair<String, Parameter> p : model.network().getParameters()) {
                NDArray array = p.getValue().getArray();
                if (array.hasGradient()) {
                    NDArray gradient = array.getGradient();
                    gradient.attach(scope); // the handle, not the gradient buffer, is freed with the scope
                    gradient.subi(gradient);
                }
            }
        }
    }

    /** Reads one value that depends on every kernel queued before it (on the CPU, a no-op in effect). */
    private static void waitForDevice(DecoderModel model) {
        ai.djl.nn.ParameterList parameters = model.network().getParameters();
        try (NDManager scope = model.newScope()) {
            NDArray gradient = parameters.valueAt(parameters.size() - 1).getArray().getGradient();
            gradient.attach(scope);
            gradient.sum().getFloat();
        }
    }

    static List<int[]> randomRows(SplittableRandom random, int rows, int length, int vocab) {
        List<int[]> out = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            int[] row = new int[length];
            for (int j = 0; j < length; j++) {
                row[j] = random.nextInt(vocab);
            }
            out.add(row);
        }
        return out;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
