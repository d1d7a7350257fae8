package io.rlstream.demo;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What a demo run does. Defaults are the figures the README reports: from a warm start of
 * 10–40% held-out accuracy to {@code targetAccuracy} within {@code rlBudget} on 2 cores.
 *
 * @param runDir          folder for data, checkpoints, metrics.csv and the learning curve
 * @param rlBudget        most wall-clock time spent on RL after the warm start
 * @param targetAccuracy  held-out greedy accuracy at which the run stops early
 * @param evalInterval    evaluate held-out accuracy on the newest policy at most this often
 * @param groupSize       G, responses per prompt
 * @param batchGroups     B, groups per training batch
 * @param maxInFlight     most dispatched groups not yet scored
 * @param seed            seed of data, warm start and sampling
 * @param decaySteps      trainer optimizer steps of the cosine learning-rate decay
 * @param selector        the dispatcher's prompt selector (dispatch.selector)
 * @param processorSettings further settings of the processors and the dispatcher (--set key=value), applied last
 * @param trainerSettings   further settings of the trainer (--set trainer.*), applied last
 * @param model           a Hugging Face model folder to train instead of the demo's tiny policy (--model); null:
 *                        the tiny policy
 * @param generator       where rollouts are generated (--generator): in the worker's JVM, or by {@code rlstream serve}
 *                        in a process of its own over HTTP
 */
public record DemoSettings(Path runDir, Duration rlBudget, double targetAccuracy, Duration evalInterval, int groupSize,
        int batchGroups, int maxInFlight, long seed, int decaySteps, String selector,
        java.util.Map<String, String> processorSettings, java.util.Map<String, String> trainerSettings, Path model,
        Generator generator) {

    /** Where the demo's rollouts are generated. */
    public enum Generator {
        /** The worker samples in its own JVM with DJL (generate.backend=local): today's demo. */
        LOCAL,
        /**
         * {@code rlstream serve} in a child JVM serves the base policy; the worker generates through
         * it over HTTP (generate.backend=sglang) and syncs every checkpoint to it.
         */
        SERVE;

        /** The name on the command line: local, serve. */
        public String flag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The generator named {@code flag} (local, serve). */
        public static Generator of(String flag) {
            for (Generator g : values()) {
                if (g.flag().equals(flag)) {
                    return g;
                }
            }
            throw new IllegalArgumentException("unknown generator '" + flag + "'; choose local or serve");
        }
    }

    public static DemoSettings defaults(Path runDir) {
        return new DemoSettings(runDir, Duration.ofMinutes(10), 0.85, Duration.ofSeconds(10), 8, 16, 64, 7L, 1500,
                "uniform", java.util.Map.of(), java.util.Map.of());
    }

    /** The demo's tiny policy. */
    public DemoSettings(Path runDir, Duration rlBudget, double targetAccuracy, Duration evalInterval, int groupSize,
            int batchGroups, int maxInFlight, long seed, int decaySteps, String selector,
            java.util.Map<String, String> processorSettings, java.util.Map<String, String> trainerSettings) {
        this(runDir, rlBudget, targetAccuracy, evalInterval, groupSize, batchGroups, maxInFlight, seed, decaySteps,
                selector, processorSettings, trainerSettings, null, Generator.LOCAL);
    }

    /** A model folder (null: the tiny policy), generated in process. */
    public DemoSettings(Path runDir, Duration rlBudget, double targetAccuracy, Duration evalInterval, int groupSize,
            int batchGroups, int maxInFlight, long seed, int decaySteps, String selector,
            java.util.Map<String, String> processorSettings, java.util.Map<String, String> trainerSettings, Path model) {
        this(runDir, rlBudget, targetAccuracy, evalInterval, groupSize, batchGroups, maxInFlight, seed, decaySteps,
                selector, processorSettings, trainerSettings, model, Generator.LOCAL);
    }

    public DemoSettings {
        if (!(targetAccuracy > 0 && targetAccuracy <= 1)) {
            throw new IllegalArgumentException("target accuracy must be in (0, 1], got " + targetAccuracy);
        }
        if (rlBudget.isNegative() || rlBudget.isZero()) {
            throw new IllegalArgumentException("RL time budget must be positive, got " + rlBudget);
        }
        processorSettings = java.util.Map.copyOf(processorSettings);
        trainerSettings = java.util.Map.copyOf(trainerSettings);
        if (generator == null) {
            throw new IllegalArgumentException("the demo needs a generator (local or serve)");
        }
        if (selector == null || selector.isBlank()) {
            throw new IllegalArgumentException("the demo needs a prompt selector name");
        }
        if (evalInterval.isNegative() || groupSize < 2 || batchGroups < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException("batch and in-flight must be >= 1 and group size >= 2");
        }
    }

    public DemoSettings withBudget(Duration budget) {
        return new DemoSettings(runDir, budget, targetAccuracy, evalInterval, groupSize, batchGroups, maxInFlight, seed,
                decaySteps, selector, processorSettings, trainerSettings, model, generator);
    }

    public DemoSettings withTarget(double target) {
        return new DemoSettings(runDir, rlBudget, target, evalInterval, groupSize, batchGroups, maxInFlight, seed,
                decaySteps, selector, processorSettings, trainerSettings, model, generator);
    }

    public DemoSettings withSelector(String name) {
        return new DemoSettings(runDir, rlBudget, targetAccuracy, evalInterval, groupSize, batchGroups, maxInFlight, seed,
                decaySteps, name, processorSettings, trainerSettings, model, generator);
    }

    public DemoSettings withProcessorSettings(java.util.Map<String, String> settings) {
        return new DemoSettings(runDir, rlBudget, targetAccuracy, evalInterval, groupSize, batchGroups, maxInFlight, seed,
                decaySteps, selector, java.util.Map.copyOf(settings), trainerSettings, model, generator);
    }

    public DemoSettings withTrainerSettings(java.util.Map<String, String> settings) {
        return new DemoSettings(runDir, rlBudget, targetAccuracy, evalInterval, groupSize, batchGroups, maxInFlight, seed,
                decaySteps, selector, processorSettings, java.util.Map.copyOf(settings), model, generator);
    }

    /** Trains the model of a Hugging Face model folder instead of the tiny policy; null for the tiny policy. */
    public DemoSettings withModel(Path folder) {
        return new DemoSettings(runDir, rlBudget, targetAccuracy, evalInterval, groupSize, batchGroups, maxInFlight, seed,
                decaySteps, selector, processorSettings, trainerSettings, folder, generator);
    }

    /** Generates in process (local) or through {@code rlstream serve} in a process of its own (serve). */
    public DemoSettings withGenerator(Generator g) {
        return new DemoSettings(runDir, rlBudget, targetAccuracy, evalInterval, groupSize, batchGroups, maxInFlight, seed,
                decaySteps, selector, processorSettings, trainerSettings, model, g);
    }

    /** Fewer groups per training batch (B); tests use it for short runs. */
    public DemoSettings withBatchGroups(int groups) {
        return new DemoSettings(runDir, rlBudget, targetAccuracy, evalInterval, groupSize, groups, maxInFlight, seed,
                decaySteps, selector, processorSettings, trainerSettings, model, generator);
    }

    public DemoSettings withSeed(long s) {
        return new DemoSettings(runDir, rlBudget, targetAccuracy, evalInterval, groupSize, batchGroups, maxInFlight, s,
                decaySteps, selector, processorSettings, trainerSettings, model, generator);
    }
}
