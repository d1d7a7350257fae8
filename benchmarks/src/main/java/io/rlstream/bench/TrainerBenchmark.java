package io.rlstream.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import io.rlstream.config.CommandExecution;
import io.rlstream.model.Generation;
import io.rlstream.model.Policy;
import io.rlstream.model.PolicyConfig;
import io.rlstream.model.TokenLogprobs;
import io.rlstream.model.folder.ModelFolder;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.model.task.AdditionTask;
import io.rlstream.model.task.Problem;
import io.rlstream.model.tokenizer.HfTokenizer;
import io.rlstream.trainer.core.PolicyTrainer;
import io.rlstream.trainer.core.StepStats;
import io.rlstream.trainer.core.TrainerConfig;
import io.rlstream.trainer.core.TrainingSample;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rlstream bench trainer}: the trainer's throughput on the demo policy, or on a Hugging Face
 * model folder ({@code --model DIR}), on this machine.
 *
 * <p>For each thread setting it creates {@code Policy.create(PolicyConfig.demo(), seed)} (or
 * {@code Policy.load(DIR)}) and a
 * {@link PolicyTrainer} with {@link TrainerConfig#defaults()}, then runs W warm-up steps
 * (untimed) and N timed {@link PolicyTrainer#rlStep} calls. Every step gets a fresh batch shaped
 * like the demo's: B groups of G samples for addition prompts {@code a+b=} (the demo task's
 * training problems), responses of up to R tokens sampled from the policy being trained, so the
 * behaviour log-probs are real and the importance ratios are those of on-policy training (the
 * trainer's second update per batch is off-policy by one update, as in the demo), and advantages
 * of +1 and -1 alternating within each group (mean zero, as GRPO's). Sampling is not timed.
 *
 * <p>Before each step, the same batch also goes through a forward-only, no-gradient
 * {@link Policy#responseLogprobs} pass (timed separately, values copied to the JVM): what
 * recomputing log π_prox or a reference policy's log-probs would add per batch.
 *
 * <p>Prompts are the addition problems' text encoded with the policy's own tokenizer as the rollout
 * worker encodes plain text ({@link AdditionTask#encodePrompt}: the demo's 7 tokens, BOS + "ab+cd=";
 * a real tokenizer's own count), responses end at the policy's stop ids. Achieved FLOP/s:
 * {@link ModelFlops#rlStep} of each timed step's padded batch over the summed step time, as a share
 * of the fp32 matmul peak ({@link ModelBenchmark#matmulPeak}) measured right after that thread
 * setting's steps, with the same threads, on the policy's device.
 *
 * <p>Threads: {@link Policy} defaults PyTorch to 1 intra-op and 1 inter-op thread (system
 * properties read when the engine starts). {@code --threads} overrides both before the engine
 * starts; with several values the later ones switch the intra-op count at run time
 * ({@code torch.set_num_threads}); the inter-op count cannot change once the engine runs.
 */
@Command(name = "trainer", description = TrainerBenchmark.DESCRIPTION, footer = TrainerBenchmark.FOOTER, sortOptions = false)
public final class TrainerBenchmark extends BenchCommand.Parsed {

    /** What the command does, above its flags in {@code --help}. */
    static final String DESCRIPTION = """
            Measures the trainer's throughput on the demo policy (PolicyConfig.demo(), about 400k
            parameters), or on a Hugging Face model folder, on this machine: PolicyTrainer.rlStep
            with TrainerConfig.defaults() (2 updates per batch) on synthetic batches shaped like
            the demo's (B groups x G samples of addition prompts a+b= encoded with the policy's
            tokenizer, responses sampled from the policy itself up to its stop ids, advantages
            +1/-1). Prints seconds/step (p50, p90), tokens/s and samples/s, the achieved GFLOP/s
            and its share of the fp32 matmul peak measured in the same run, and per batch the cost
            of a forward-only log-prob pass (no gradient: a pi_prox or reference-policy recompute)
            and of sampling the batch, for each thread setting.
            """;

    /** Below the flags in {@code --help}. */
    static final String FOOTER = """

            Columns: tokens/s = loss tokens (response tokens the loss counts) per second;
            GFLOP/s = model FLOPs of the padded batches the steps ran (one forward pass without
            gradient + 2 x forward and backward, 6 x body parameters per position + PaLM's
            attention term + 6 x vocab x hidden per response position: as rlstream bench model)
            over the step time; %% peak = that over the best of 5 n x n fp32 matmuls run right after,
            with the same threads.

            Exit codes: 0 measured; 1 failure; 2 wrong usage (a --model that is not a model folder
            or whose context cannot hold the longest prompt + R included).
            """;

    static final List<String> VALUE_FLAGS = List.of("model", "steps", "warmup-steps", "batch-groups", "group-size",
            "response-tokens", "threads", "matmul-size", "seed");

    static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";
    static final String INTEROP_PROPERTY = "ai.djl.pytorch.num_interop_threads";

    /**
     * What to measure.
     *
     * @param steps          timed training steps per thread setting
     * @param warmupSteps    untimed steps before them
     * @param batchGroups    B, groups per batch
     * @param groupSize      G, samples per group (one prompt each group)
     * @param responseTokens most tokens per sampled response
     * @param threads        intra-op thread counts to measure, one run each; empty: as configured
     * @param seed           weights, prompt order and sampling
     * @param model          a Hugging Face model folder to measure; null: the demo policy
     * @param matmulSize     n of the n × n fp32 matmul of the peak
     */
    public record Settings(int steps, int warmupSteps, int batchGroups, int groupSize, int responseTokens,
            List<Integer> threads, long seed, Path model, int matmulSize) {

        public static final int DEFAULT_STEPS = 30;
        public static final int DEFAULT_WARMUP_STEPS = 5;
        public static final int DEFAULT_BATCH_GROUPS = 16;
        public static final int DEFAULT_GROUP_SIZE = 8;
        public static final int DEFAULT_RESPONSE_TOKENS = 5;
        /** Keeps the context (and the position table) of a mistyped value in bounds. */
        public static final int MAX_RESPONSE_TOKENS = 1024;
        public static final int DEFAULT_MATMUL_SIZE = 2048;

        public Settings {
            require(steps >= 1, "--steps must be >= 1, got " + steps);
            require(warmupSteps >= 0, "--warmup-steps must be >= 0, got " + warmupSteps);
            require(batchGroups >= 1, "--batch-groups must be >= 1, got " + batchGroups);
            require(groupSize >= 1, "--group-size must be >= 1, got " + groupSize);
            require(responseTokens >= 1 && responseTokens <= MAX_RESPONSE_TOKENS,
                    "--response-tokens must be in 1.." + MAX_RESPONSE_TOKENS + ", got " + responseTokens);
            threads = List.copyOf(threads);
            for (int t : threads) {
                require(t >= 1, "--threads values must be >= 1, got " + t);
            }
            require(matmulSize >= 16 && matmulSize <= 32768, "--matmul-size must be in 16..32768, got " + matmulSize);
        }

        /** The demo policy, the default peak matmul. */
        public Settings(int steps, int warmupSteps, int batchGroups, int groupSize, int responseTokens,
                List<Integer> threads, long seed) {
            this(steps, warmupSteps, batchGroups, groupSize, responseTokens, threads, seed, null,
                    DEFAULT_MATMUL_SIZE);
        }

        public static Settings defaults() {
            return new Settings(DEFAULT_STEPS, DEFAULT_WARMUP_STEPS, DEFAULT_BATCH_GROUPS, DEFAULT_GROUP_SIZE,
                    DEFAULT_RESPONSE_TOKENS, List.of(), 1);
        }

        public int samplesPerStep() {
            return batchGroups * groupSize;
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    /**
     * Seconds per call over the timed steps.
     *
     * @param p50   median (nearest rank)
     * @param p90   90th percentile (nearest rank)
     * @param total sum over all timed calls
     */
    public record Timing(double p50, double p90, double total) {

        static Timing of(double[] seconds) {
            double[] sorted = seconds.clone();
            Arrays.sort(sorted);
            return new Timing(percentile(sorted, 0.50), percentile(sorted, 0.90), Arrays.stream(sorted).sum());
        }

        /** The smallest value with at least {@code q} of all values at or below it. */
        static double percentile(double[] sorted, double q) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int rank = (int) Math.ceil(q * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
        }
    }

    /**
     * One thread setting's numbers.
     *
     * @param threads          PyTorch intra-op threads in effect (read back from the engine)
     * @param interopThreads   inter-op threads in effect
     * @param steps            timed steps
     * @param samples          samples in the timed steps
     * @param tokens           response tokens in the loss over the timed steps ({@link StepStats#tokens()})
     * @param paddedTokens     response positions the timed steps computed: samples x longest response of each batch
     * @param step             rlStep wall time
     * @param forward          forward-only log-prob pass (no gradient) wall time, same batches
     * @param sampling         sampling of the batches (not part of the step), wall time
     * @param stepCpuSeconds   process CPU seconds during the timed steps (all threads, GC and JIT included)
     * @param meanRatio        mean over the timed steps of StepStats.meanRatio
     * @param clipFraction     mean over the timed steps of StepStats.clipFraction
     * @param flops            model FLOPs of the timed steps ({@link ModelFlops#rlStep} of each padded batch)
     * @param peak             the fp32 matmul peak measured after the steps with the same threads
     */
    public record Row(int threads, int interopThreads, int steps, long samples, long tokens, long paddedTokens,
            Timing step, Timing forward, Timing sampling, double stepCpuSeconds, double meanRatio,
            double clipFraction, double flops, ModelBenchmark.Peak peak) {

        public double samplesPerStep() {
            return (double) samples / steps;
        }

        public double tokensPerStep() {
            return (double) tokens / steps;
        }

        /** Loss tokens over the summed step time. */
        public double tokensPerSecond() {
            return step.total() > 0 ? tokens / step.total() : 0;
        }

        public double samplesPerSecond() {
            return step.total() > 0 ? samples / step.total() : 0;
        }

        /** Achieved model GFLOP/s: the timed steps' FLOPs over their summed time. */
        public double gflops() {
            return step.total() > 0 ? flops / step.total() / 1e9 : 0;
        }

        /** {@link #gflops} as a percentage of the matmul peak. */
        public double percentOfPeak() {
            return ModelFlops.percentOfPeak(flops, step.total(), peak.gflops() * 1e9);
        }

        /** Cores kept busy during the steps: process CPU time over wall time. */
        public double coresUsed() {
            return step.total() > 0 ? stepCpuSeconds / step.total() : Double.NaN;
        }
    }

    /**
     * What a run measured.
     *
     * @param device          the engine's default device, where the policy lives
     * @param engine          engine name and version
     * @param policyConfig    the demo policy measured (context grown to fit long responses); null with --model
     * @param modelConfig     the network measured (the demo policy's or the folder's config)
     * @param promptTokens    the longest addition prompt in the policy's tokens
     * @param trainerConfig   the trainer's settings
     * @param rows            one per thread setting, in order
     * @param notes           things the reader should know (a thread setting that could not apply)
     * @param loadBefore      the system load average (1 min) before the run; negative if unknown
     * @param loadAfter       the same after
     */
    public record Result(Settings settings, String device, String engine, PolicyConfig policyConfig,
            DecoderConfig modelConfig, int promptTokens, TrainerConfig trainerConfig, List<Row> rows,
            List<String> notes, double loadBefore, double loadAfter) {
    }

    /** A command object for picocli (a subcommand of {@code rlstream bench}). */
    public TrainerBenchmark() {
    }

    @Option(names = "--model", paramLabel = "DIR", description = "A Hugging Face model folder (llama, qwen2, qwen3; config.json, safetensors, tokenizer.json) to measure instead of the demo policy, e.g. one written by rlstream model init.")
    String model;

    @Option(names = "--steps", paramLabel = "N", description = "Timed training steps per thread setting (default 30).")
    String steps;

    @Option(names = "--warmup-steps", paramLabel = "W", description = "Untimed steps first, per thread setting (default 5).")
    String warmupSteps;

    @Option(names = "--batch-groups", paramLabel = "B", description = "Groups per batch (default 16).")
    String batchGroups;

    @Option(names = "--group-size", paramLabel = "G", description = "Samples per group (default 8).")
    String groupSize;

    @Option(names = "--response-tokens", paramLabel = "R", description = "Most tokens a sampled response may have, EOS included (default 5, as in the demo); a randomly initialised policy stops earlier on average. Above 9, the demo policy's context length grows from 16 to fit the prompt (7 tokens) + R; a --model's context must hold its longest prompt + R.")
    String responseTokens;

    @Option(names = "--threads", paramLabel = "T[,T...]", description = "PyTorch intra-op threads; one run per value. The first value also sets the inter-op threads, before the engine starts (default: as configured, which the policy makes 1 x 1 unless -Dai.djl.pytorch.num_threads / num_interop_threads say else).")
    String threads;

    @Option(names = "--matmul-size", paramLabel = "N", description = "N of the n x n fp32 matmul of the peak (default 2048).")
    String matmulSize;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the weights (demo policy), prompts and sampling (default 1).")
    String seed;

    @Override
    int parsed(List<String> args, PrintStream out, PrintStream err) {
        return runParsed(args, out, err);
    }

    /** {@code rlstream bench trainer [flags]}: see {@code --help}. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        return CommandExecution.execute(new TrainerBenchmark(), "rlstream bench trainer", args, out, err);
    }

    /** Runs the benchmark standalone: {@code java -cp ... io.rlstream.bench.TrainerBenchmark [flags]}. */
    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.out, System.err));
    }

    /** Runs the benchmark from command-line flags; returns the exit code. */
    static int runParsed(List<String> args, PrintStream out, PrintStream err) {
        return BenchCommand.run("trainer", args, out, err, TrainerBenchmark::parse, settings -> {
            out.printf("rlstream bench trainer: %s, %d steps (+ %d warm-up) of B %d x G %d = %d samples, responses "
                    + "up to %d tokens, threads %s, seed %d%n",
                    settings.model() == null ? "demo policy" : "model " + settings.model(), settings.steps(),
                    settings.warmupSteps(), settings.batchGroups(), settings.groupSize(), settings.samplesPerStep(),
                    settings.responseTokens(), settings.threads().isEmpty() ? "as configured" : settings.threads(),
                    settings.seed());
            Result result = measure(settings, out);
            out.println();
            out.print(TrainerBenchmarkReport.format(result));
            out.flush();
            return 0;
        });
    }

    /** Flags to settings; {@link IllegalArgumentException} with a message for the user on anything wrong. */
    static Settings parse(List<String> args) {
        Settings d = Settings.defaults();
        int steps = d.steps();
        int warmup = d.warmupSteps();
        int batchGroups = d.batchGroups();
        int groupSize = d.groupSize();
        int responseTokens = d.responseTokens();
        List<Integer> threads = d.threads();
        long seed = d.seed();
        Path model = d.model();
        int matmulSize = d.matmulSize();
        for (Map.Entry<String, String> flag : BenchCommand.flags(args, VALUE_FLAGS).entrySet()) {
            String name = flag.getKey();
            String value = flag.getValue();
            switch (name) {
                case "steps" -> steps = BenchCommand.integer(name, value);
                case "warmup-steps" -> warmup = BenchCommand.integer(name, value);
                case "batch-groups" -> batchGroups = BenchCommand.integer(name, value);
                case "group-size" -> groupSize = BenchCommand.integer(name, value);
                case "response-tokens" -> responseTokens = BenchCommand.integer(name, value);
                case "matmul-size" -> matmulSize = BenchCommand.integer(name, value);
                case "model" -> model = Path.of(value).toAbsolutePath();
                case "threads" -> {
                    List<Integer> list = new ArrayList<>();
                    for (String part : value.split(",", -1)) {
                        list.add(BenchCommand.integer(name, part.trim()));
                    }
                    threads = list;
                }
                case "seed" -> {
                    try {
                        seed = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--seed expects a whole number, got '" + value + "'");
                    }
                }
                default -> throw new IllegalStateException(name);
            }
        }
        Settings settings = new Settings(steps, warmup, batchGroups, groupSize, responseTokens, threads, seed, model,
                matmulSize);
        if (model != null) {
            checkModel(model, responseTokens);
        }
        return settings;
    }

    /**
     * A --model that is not a model folder with a tokenizer, or whose context cannot hold the
     * longest addition prompt (in its own tokens) plus R, is a usage error before any work.
     */
    static void checkModel(Path dir, int responseTokens) {
        DecoderConfig config;
        int prompt;
        try {
            ModelFolder folder = ModelFolder.open(dir);
            if (!folder.hasTokenizer()) {
                throw new IllegalArgumentException("--model " + dir + " has no tokenizer.json; copy the base model's"
                        + " tokenizer files into it");
            }
            config = folder.config();
            try (HfTokenizer tokenizer = folder.loadTokenizer()) {
                prompt = AdditionTask.longestPromptTokens(tokenizer);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException && e.getMessage().startsWith("--model")) {
                throw (IllegalArgumentException) e;
            }
            throw new IllegalArgumentException("--model " + dir + " is not a Hugging Face model folder: "
                    + e.getMessage(), e);
        }
        if (prompt + responseTokens > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("--model " + dir + ": the longest addition prompt (" + prompt
                    + " tokens) plus --response-tokens " + responseTokens + " exceeds its context of "
                    + config.maxPositionEmbeddings() + " (max_position_embeddings)");
        }
    }


    /**
     * Runs W + N steps per thread setting and returns their numbers; progress lines go to
     * {@code progress}. Thread settings take full effect only if no DJL engine has started in this
     * JVM yet; otherwise the intra-op count is switched at run time and {@link Result#notes()} says
     * what the inter-op count stayed at.
     */
    public static Result measure(Settings s, PrintStream progress) {
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        List<String> notes = new ArrayList<>();
        if (!s.threads().isEmpty()) {
            // Read by the PyTorch engine when it starts; Policy only sets them if absent.
            String first = Integer.toString(s.threads().get(0));
            System.setProperty(THREADS_PROPERTY, first);
            System.setProperty(INTEROP_PROPERTY, first);
        }
        PolicyConfig config = s.model() == null ? policyConfig(s.responseTokens()) : null;
        TrainerConfig trainerConfig = TrainerConfig.defaults();
        List<Problem> problems = new ArrayList<>(AdditionTask.standard().train());
        Collections.shuffle(problems, new Random(s.seed()));
        DecoderConfig modelConfig = null;
        int promptTokens = 0;

        List<Row> rows = new ArrayList<>();
        List<Integer> settingsToRun = s.threads().isEmpty() ? Collections.singletonList(null) : s.threads();
        Engine engine = null;
        for (Integer requested : settingsToRun) {
            // A fresh policy and trainer per setting: same weights, same prompts, same sampling seeds.
            try (Policy policy = s.model() == null ? Policy.create(config, s.seed()) : Policy.load(s.model())) {
                if (engine == null) {
                    modelConfig = policy.config();
                    promptTokens = AdditionTask.longestPromptTokens(policy.tokenizer());
                    engine = Engine.getInstance();
                    progress.printf("engine %s %s, device %s, PyTorch threads %d intra-op x %d inter-op%n",
                            engine.getEngineName(), engine.getVersion(), engine.defaultDevice(),
                            JniUtils.getNumThreads(), JniUtils.getNumInteropThreads());
                    if (s.model() != null) {
                        progress.printf("model %s: %s, %d layers, hidden %d, %d heads (%d kv), intermediate %d, vocab %d,"
                                + " context %d; addition prompts of up to %d tokens, stop ids %s%n", s.model(),
                                modelConfig.architecture().modelType(), modelConfig.numHiddenLayers(),
                                modelConfig.hiddenSize(), modelConfig.numAttentionHeads(),
                                modelConfig.numKeyValueHeads(), modelConfig.intermediateSize(), modelConfig.vocabSize(),
                                modelConfig.maxPositionEmbeddings(), promptTokens,
                                Arrays.toString(policy.stopTokenIds()));
                    } else if (config.contextLength() != PolicyConfig.demo().contextLength()) {
                        progress.printf("context length %d instead of the demo's %d, to fit %d response tokens%n",
                                config.contextLength(), PolicyConfig.demo().contextLength(), s.responseTokens());
                    }
                }
                if (requested != null && JniUtils.getNumThreads() != requested) {
                    JniUtils.setNumThreads(requested);
                }
                if (requested != null && JniUtils.getNumInteropThreads() != s.threads().get(0)) {
                    String note = "inter-op threads stayed " + JniUtils.getNumInteropThreads()
                            + ": the engine had started before --threads could set them";
                    if (!notes.contains(note)) {
                        notes.add(note);
                    }
                }
                rows.add(measureOne(s, policy, new PolicyTrainer(policy, trainerConfig), problems, progress));
            }
        }
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return new Result(s, engine.defaultDevice().toString(), engine.getEngineName() + " " + engine.getVersion(),
                config, modelConfig, promptTokens, trainerConfig, List.copyOf(rows), List.copyOf(notes), loadBefore,
                loadAfter);
    }

    /** The demo's policy; the context grows when prompt + response would not fit in it. */
    static PolicyConfig policyConfig(int responseTokens) {
        PolicyConfig demo = PolicyConfig.demo();
        // BOS + "ab+cd=": every prompt of the demo task has 7 tokens.
        int needed = 1 + "99+99=".length() + responseTokens;
        if (needed <= demo.contextLength()) {
            return demo;
        }
        return new PolicyConfig(demo.vocabSize(), needed, demo.embedDim(), demo.layers(), demo.heads(),
                demo.mlpHidden());
    }

    private static Row measureOne(Settings s, Policy policy, PolicyTrainer trainer, List<Problem> problems,
            PrintStream progress) {
        int threads = JniUtils.getNumThreads();
        int interop = JniUtils.getNumInteropThreads();
        String label = threads + " x " + interop + " threads";
        progress.printf("%s: %d warm-up steps, then %d timed%n", label, s.warmupSteps(), s.steps());
        float temperature = (float) trainer.config().temperature();
        double[] stepSeconds = new double[s.steps()];
        double[] forwardSeconds = new double[s.steps()];
        double[] samplingSeconds = new double[s.steps()];
        long samples = 0;
        long tokens = 0;
        long padded = 0;
        double cpuSeconds = 0;
        double ratioSum = 0;
        double clipSum = 0;
        double flops = 0;
        int updates = trainer.config().updatesPerBatch();
        int every = Math.max(1, s.steps() / 6);
        int total = s.warmupSteps() + s.steps();
        for (int i = 0; i < total; i++) {
            long t0 = System.nanoTime();
            List<TrainingSample> batch = batch(s, policy, problems, temperature, i);
            double sampling = seconds(t0);

            List<int[]> prompts = new ArrayList<>(batch.size());
            List<int[]> responses = new ArrayList<>(batch.size());
            int width = 0;
            int promptWidth = 0;
            for (TrainingSample sample : batch) {
                prompts.add(sample.promptTokens());
                responses.add(sample.responseTokens());
                width = Math.max(width, sample.responseTokens().length);
                promptWidth = Math.max(promptWidth, sample.promptTokens().length);
            }
            double forward = forwardOnly(policy, prompts, responses, temperature);

            double cpu0 = processCpuSeconds();
            long t1 = System.nanoTime();
            StepStats stats = trainer.rlStep(batch);
            double step = seconds(t1);
            double cpu = processCpuSeconds() - cpu0;

            int timed = i - s.warmupSteps();
            if (timed < 0) {
                if (timed == -1) {
                    progress.printf("  %s: warm-up done (last step %.3f s)%n", label, step);
                }
                continue;
            }
            stepSeconds[timed] = step;
            forwardSeconds[timed] = forward;
            samplingSeconds[timed] = sampling;
            samples += batch.size();
            tokens += stats.tokens();
            padded += (long) batch.size() * width;
            cpuSeconds += cpu;
            ratioSum += stats.meanRatio();
            clipSum += stats.clipFraction();
            // what the step ran: every row left-padded to the longest prompt, right-filled to the longest response
            flops += ModelFlops.rlStep(policy.config(), updates, batch.size(), promptWidth, Math.max(1, width));
            if ((timed + 1) % every == 0 || timed + 1 == s.steps()) {
                progress.printf("  %s: step %d/%d  %.3f s  %d tokens  forward-only %.3f s  sampling %.3f s  "
                        + "ratio %.3f  clip %.3f%n", label, timed + 1, s.steps(), step, stats.tokens(), forward,
                        sampling, stats.meanRatio(), stats.clipFraction());
            }
            progress.flush();
        }
        ModelBenchmark.Peak peak = ModelBenchmark.matmulPeak(policy.decoderModel().device(), s.matmulSize());
        progress.printf("  %s: fp32 matmul peak %.1f GFLOP/s (%d x %d, best of %d)%n", label, peak.gflops(), peak.n(),
                peak.n(), ModelBenchmark.PEAK_REPEATS);
        return new Row(threads, interop, s.steps(), samples, tokens, padded, Timing.of(stepSeconds),
                Timing.of(forwardSeconds), Timing.of(samplingSeconds), cpuSeconds, ratioSum / s.steps(),
                clipSum / s.steps(), flops, peak);
    }

    /**
     * Batch {@code index}: B problems (cycling through the shuffled training split), each prompt G
     * times (encoded with the policy's tokenizer, as the rollout worker does), sampled in one call
     * with a seed fixed by the run's seed and the index; responses end at the policy's stop ids.
     */
    static List<TrainingSample> batch(Settings s, Policy policy, List<Problem> problems, float temperature,
            int index) {
        List<int[]> prompts = new ArrayList<>(s.samplesPerStep());
        for (int g = 0; g < s.batchGroups(); g++) {
            Problem problem = problems.get((index * s.batchGroups() + g) % problems.size());
            int[] prompt = AdditionTask.encodePrompt(policy.tokenizer(), problem);
            for (int k = 0; k < s.groupSize(); k++) {
                prompts.add(prompt);
            }
        }
        long seed = new Random(s.seed() * 1_000_003L + index).nextLong();
        List<Generation> generations = policy.sample(prompts, s.responseTokens(), temperature, seed);
        List<TrainingSample> batch = new ArrayList<>(prompts.size());
        for (int b = 0; b < prompts.size(); b++) {
            Generation g = generations.get(b);
            float advantage = (b % s.groupSize()) % 2 == 0 ? 1f : -1f;
            // Not marked for masking: the demo's processors run without overlong filtering.
            batch.add(new TrainingSample(prompts.get(b), g.tokens(), g.logprobs(), advantage, false));
        }
        return batch;
    }

    /** Seconds of a no-gradient teacher-forced log-prob pass over the batch, results copied to the JVM. */
    static double forwardOnly(Policy policy, List<int[]> prompts, List<int[]> responses, float temperature) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            long t0 = System.nanoTime();
            try (NDManager scope = policy.newScope()) {
                TokenLogprobs scored = policy.responseLogprobs(scope, prompts, responses, temperature, false);
                scored.logprobs().toFloatArray();
            }
            return seconds(t0);
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** CPU time of the whole process (PyTorch's own threads included); NaN where the JVM does not say. */
    private static double processCpuSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            return nanos < 0 ? Double.NaN : nanos / 1e9;
        }
        return Double.NaN;
    }
}
