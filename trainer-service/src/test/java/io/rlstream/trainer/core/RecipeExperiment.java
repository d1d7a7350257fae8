package io.rlstream.trainer.core;

import io.rlstream.model.tokenizer.CharTokenizer;
import io.rlstream.model.Generation;
import io.rlstream.model.Policy;
import io.rlstream.model.hf.DecoderArchitecture;
import io.rlstream.model.hf.DecoderConfig;
import io.rlstream.model.folder.TokenizerFiles;
import io.rlstream.model.PolicyConfig;
import io.rlstream.model.task.AdditionTask;
import io.rlstream.model.task.Problem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The recipe experiment: warm start, then an in-process GRPO loop that prints held-out greedy
 * accuracy against RL compute time. Not a test; run it by hand from the repository root:
 *
 * <pre>
 * mvn -B -o -q test-compile -pl trainer-service
 * mvn -B -o -q dependency:build-classpath -pl trainer-service -Dmdep.outputFile=target/cp.txt
 * java -cp "$(cat trainer-service/target/cp.txt):trainer-service/target/classes:trainer-service/target/test-classes" \
 *   -Dai.djl.offline=true io.rlstream.trainer.core.RecipeExperiment seed=1 staleness=1
 * </pre>
 *
 * <p>Arguments are {@code key=value}; defaults are the tuned recipe. seed; batch (prompts per step
 * B, default 64); group (samples per prompt G, 8); temperature (1.0); steps (RL steps, 200);
 * evalEvery (10); stopAt (stop once held-out accuracy reaches it, 0.9); staleness (0: train on
 * samples of the current weights; 1: on samples drawn before the previous update, as in the
 * asynchronous pipeline); lr, warmup, decay, updates (override {@link TrainerConfig#defaults()});
 * warmTarget, warmLr (override {@link WarmStart.Recipe#demo()}); embed, layers, heads, mlp
 * (override {@link PolicyConfig#demo()}); from (a checkpoint to start from instead of
 * warm-starting) and saveWarm (a folder to save the start to), to compare RL settings from one
 * starting point.
 */
public final class RecipeExperiment {

    private final Map<String, String> args;
    private final CharTokenizer tokenizer = CharTokenizer.arithmetic();
    private final AdditionTask task = AdditionTask.standard();

    private RecipeExperiment(Map<String, String> args) {
        this.args = args;
    }

    public static void main(String[] argv) {
        Map<String, String> args = new HashMap<>();
        for (String arg : argv) {
            String[] kv = arg.split("=", 2);
            args.put(kv[0], kv[1]);
        }
        new RecipeExperiment(args).run();
    }

    private void run() {
        long seed = integer("seed", 1);
        int batch = integer("batch", 64);
        int group = integer("group", 8);
        float temperature = (float) real("temperature", 1.0);
        int staleness = integer("staleness", 0);
        TrainerConfig trainerConfig = trainerConfig();
        System.out.printf(Locale.ROOT, "rl %s B=%d G=%d T=%.2f staleness=%d%n",
                trainerConfig, batch, group, temperature, staleness);
        try (Policy policy = startingPolicy(seed)) {
            double accuracy = AdditionTask.greedyAccuracy(policy, task.heldOut());
            System.out.printf(Locale.ROOT, "start: held-out accuracy %.3f%n", accuracy);
            PolicyTrainer trainer = new PolicyTrainer(policy, trainerConfig);
            Random random = new Random(seed + 1);
            long sampleNanos = 0;
            long trainNanos = 0;
            int trainSteps = 0;
            long evalNanos = 0;
            long rlStart = System.nanoTime();
            Rollouts pending = null;
            for (int step = 1; step <= integer("steps", 200); step++) {
                long s0 = System.nanoTime();
                Rollouts fresh = Rollouts.sample(policy, task.train(), batch, group, temperature,
                        random, tokenizer);
                sampleNanos += System.nanoTime() - s0;
                Rollouts used = fresh;
                if (staleness == 1) {
                    used = pending;
                    pending = fresh;
                }
                List<TrainingSample> samples = used == null ? List.of() : used.trainingSamples(group);
                StepStats stats = null;
                if (!samples.isEmpty()) {
                    long s1 = System.nanoTime();
                    stats = trainer.rlStep(samples);
                    trainNanos += System.nanoTime() - s1;
                    trainSteps++;
                }
                if (step % integer("evalEvery", 10) == 0) {
                    long e0 = System.nanoTime();
                    accuracy = AdditionTask.greedyAccuracy(policy, task.heldOut());
                    evalNanos += System.nanoTime() - e0;
                    double wall = (System.nanoTime() - rlStart) / 1e9;
                    System.out.printf(Locale.ROOT, "step %4d  rl %.1f s (wall %.1f s)  held-out %.3f"
                                    + "  reward %.3f  kept %d/%d  clip %.3f  ratio %.3f  |g| %.2f"
                                    + "  sample %.0f ms  train %.0f ms%n",
                            step, wall - evalNanos / 1e9, wall, accuracy,
                            used == null ? 0 : used.meanReward(), samples.size() / group, batch,
                            stats == null ? 0 : stats.clipFraction(),
                            stats == null ? 1 : stats.meanRatio(),
                            stats == null ? 0 : stats.gradNorm(),
                            sampleNanos / 1e6 / step, trainNanos / 1e6 / Math.max(trainSteps, 1));
                    if (accuracy >= real("stopAt", 0.9)) {
                        break;
                    }
                }
            }
        }
    }

    /** The warm-started policy, or the checkpoint named by {@code from}. */
    private Policy startingPolicy(long seed) {
        if (args.containsKey("from")) {
            return Policy.load(Path.of(args.get("from")));
        }
        PolicyConfig d = PolicyConfig.demo();
        PolicyConfig config = new PolicyConfig(d.vocabSize(), d.contextLength(),
                integer("embed", d.embedDim()), integer("layers", d.layers()),
                integer("heads", d.heads()), integer("mlp", d.mlpHidden()));
        WarmStart.Recipe demo = WarmStart.Recipe.demo();
        WarmStart.Recipe recipe = new WarmStart.Recipe(demo.subsetSize(), demo.probeSize(),
                demo.batchSize(), real("warmLr", demo.learningRate()),
                real("warmTarget", demo.targetAccuracy()), demo.checkEvery(), demo.maxSteps());
        System.out.printf(Locale.ROOT, "config %s%nwarm %s%n", config, recipe);
        Policy policy = args.containsKey("arch") ? Policy.create(decoderConfig(config), TokenizerFiles.of(tokenizer), seed)
                : Policy.create(config, seed);
        WarmStart.Result warm = WarmStart.run(policy, recipe, task.train(), seed);
        System.out.printf(Locale.ROOT, "warm start: %s%n", warm);
        if (args.containsKey("saveWarm")) {
            policy.save(Path.of(args.get("saveWarm")), Map.of("stage", "warm-start"));
        }
        return policy;
    }

    /** The demo's shape in another architecture of the family ({@code arch=qwen3|qwen2}; {@code tie=true}). */
    private DecoderConfig decoderConfig(PolicyConfig shape) {
        DecoderConfig llama = shape.decoderConfig();
        DecoderArchitecture arch = DecoderArchitecture.valueOf(args.get("arch").toUpperCase(Locale.ROOT));
        DecoderConfig base = DecoderConfig.of(arch, llama.vocabSize(), llama.hiddenSize(), llama.intermediateSize(),
                llama.numHiddenLayers(), llama.numAttentionHeads(), llama.numKeyValueHeads(),
                Boolean.parseBoolean(args.getOrDefault("tie", "false")));
        return new DecoderConfig(arch, llama.vocabSize(), llama.hiddenSize(), llama.intermediateSize(),
                llama.numHiddenLayers(), llama.numAttentionHeads(), llama.numKeyValueHeads(), llama.headDim(),
                llama.rmsNormEps(), real("theta", llama.ropeTheta()), null, base.tieWordEmbeddings(),
                base.attentionBias(), llama.maxPositionEmbeddings(), llama.bosTokenId(), llama.eosTokenIds(),
                llama.padTokenId(), llama.torchDtype(), base.extra());
    }

    private TrainerConfig trainerConfig() {
        TrainerConfig d = TrainerConfig.defaults();
        return d.withLearningRate(real("lr", d.learningRate()))
                .withWarmupSteps(integer("warmup", d.warmupSteps()))
                .withDecaySteps(integer("decay", d.decaySteps()))
                .withUpdatesPerBatch(integer("updates", d.updatesPerBatch()));
    }

    private int integer(String key, int fallback) {
        return args.containsKey(key) ? Integer.parseInt(args.get(key)) : fallback;
    }

    private double real(String key, double fallback) {
        return args.containsKey(key) ? Double.parseDouble(args.get(key)) : fallback;
    }

    /** One step's rollouts: B prompts × G samples with their exact-match rewards. */
    private record Rollouts(List<int[]> prompts, List<Generation> generations, float[] rewards) {

        static Rollouts sample(Policy policy, List<Problem> train, int batch, int group,
                float temperature, Random random, CharTokenizer tokenizer) {
            List<Problem> problems = new ArrayList<>(batch);
            List<int[]> prompts = new ArrayList<>(batch * group);
            for (int i = 0; i < batch; i++) {
                Problem problem = train.get(random.nextInt(train.size()));
                problems.add(problem);
                int[] prompt = tokenizer.encodePrompt(problem.prompt());
                for (int g = 0; g < group; g++) {
                    prompts.add(prompt);
                }
            }
            List<Generation> generations = policy.sample(prompts, AdditionTask.MAX_RESPONSE_TOKENS,
                    temperature, random.nextLong());
            float[] rewards = new float[generations.size()];
            for (int i = 0; i < rewards.length; i++) {
                rewards[i] = AdditionTask.isCorrect(generations.get(i), problems.get(i / group),
                        policy.tokenizer()) ? 1f : 0f;
            }
            return new Rollouts(prompts, generations, rewards);
        }

        /** GRPO advantages per group; groups whose rewards are all equal are dropped (DAPO). */
        List<TrainingSample> trainingSamples(int group) {
            List<TrainingSample> out = new ArrayList<>();
            for (int start = 0; start < rewards.length; start += group) {
                float[] advantages = GroupAdvantage.grpo(rewards, start, group);
                if (advantages == null) {
                    continue;
                }
                for (int i = 0; i < group; i++) {
                    Generation g = generations.get(start + i);
                    out.add(new TrainingSample(prompts.get(start + i), g.tokens(), g.logprobs(),
                            advantages[i], g.truncated()));
                }
            }
            return out;
        }

        double meanReward() {
            double sum = 0;
            for (float r : rewards) {
                sum += r;
            }
            return sum / rewards.length;
        }
    }
}
