package io.rlstream.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The run folder's records: metrics.csv (one row per step), eval.csv, summary.txt, learning-curve.png. */
final class RunLog {

    private static final List<String> STEP_COLUMNS = List.of("loss", "reward_mean", "effective_ratio", "staleness_mean",
            "clip_fraction", "grad_norm", "samples", "step_seconds", "staleness_max", "idle_fraction", "is_weight_mean",
            "is_truncated_fraction");

    private final Path dir;
    private final List<LearningCurve.Point> accuracy = new ArrayList<>();
    private final List<LearningCurve.Point> reward = new ArrayList<>();

    RunLog(Path dir) {
        this.dir = dir;
        write("metrics.csv", "step,policy_version,seconds," + String.join(",", STEP_COLUMNS) + ",rollouts_per_second\n", false);
        write("eval.csv", "step,policy_version,seconds,heldout_accuracy\n", false);
    }

    void step(long step, long version, double seconds, Map<String, Double> metrics, double rolloutsPerSecond) {
        StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%d,%d,%.3f", step, version, seconds));
        for (String c : STEP_COLUMNS) {
            Double v = metrics.get(c);
            row.append(',').append(v == null ? "" : String.format(Locale.ROOT, "%.6g", v));
        }
        row.append(String.format(Locale.ROOT, ",%.1f%n", rolloutsPerSecond));
        write("metrics.csv", row.toString(), true);
        Double r = metrics.get("reward_mean");
        if (r != null) {
            reward.add(new LearningCurve.Point(seconds, r));
        }
    }

    void eval(long step, long version, double seconds, double heldOutAccuracy) {
        write("eval.csv", String.format(Locale.ROOT, "%d,%d,%.3f,%.4f%n", step, version, seconds, heldOutAccuracy), true);
        accuracy.add(new LearningCurve.Point(seconds, heldOutAccuracy));
    }

    void finish(Demo.Result result, DemoSettings settings) throws IOException {
        String summary = String.format(Locale.ROOT, """
                rlstream demo summary
                held-out greedy accuracy: %.4f -> %.4f (target %.2f, %s)
                training steps: %d
                seconds of RL: %.1f
                stopped because: %s
                settings: G=%d B=%d max-in-flight=%d seed=%d budget=%ds selector=%s %s
                samples generated: %d (to the target: %s)
                effective ratio: %.4f over %d groups
                value model error (pcl): %s
                idle: trainer %.3f, generator %.3f
                generator: %s
                """, result.initialAccuracy(), result.finalAccuracy(), settings.targetAccuracy(),
                result.reachedTarget() ? "reached" : "not reached", result.steps(), result.rlSeconds(),
                result.stopReason(), settings.groupSize(), settings.batchGroups(), settings.maxInFlight(),
                settings.seed(), settings.rlBudget().toSeconds(), settings.selector(), overrides(settings),
                result.samplesGenerated(),
                result.samplesToTarget() < 0 ? "not reached"
                        : result.samplesToTarget() + String.format(Locale.ROOT, " in %.1f s", result.secondsToTarget()),
                result.effectiveRatio(), result.groupsCompleted(),
                Double.isNaN(result.valueMae()) ? "-" : String.format(Locale.ROOT, "%.4f (running-mean baseline %.4f)",
                        result.valueMae(), result.valueBaselineMae()),
                result.trainerIdle(), result.generatorIdle(), result.generator());
        write("summary.txt", summary, false);
        LearningCurve.write(dir.resolve("learning-curve.png"),
                String.format(Locale.ROOT, "rlstream demo: two-digit addition, GRPO through Kafka (%.0f%% -> %.0f%%)",
                        100 * result.initialAccuracy(), 100 * result.finalAccuracy()),
                accuracy, reward, settings.targetAccuracy());
    }

    /** The model folder (--model), then the --set settings, which take precedence over the ones above (e.g. the in-flight cap). */
    private static String overrides(DemoSettings settings) {
        java.util.Map<String, String> all = new java.util.TreeMap<>(settings.processorSettings());
        all.putAll(settings.trainerSettings());
        String model = settings.model() == null ? "" : "model=" + settings.model();
        String overrides = all.isEmpty() ? "" : "overrides=" + all;
        return model.isEmpty() || overrides.isEmpty() ? model + overrides : model + " " + overrides;
    }

        private void write(String file, String text, boolean append) {
        try {
            if (append) {
                Files.writeString(dir.resolve(file), text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } else {
                Files.writeString(dir.resolve(file), text);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + " in " + dir, e);
        }
    }
}
