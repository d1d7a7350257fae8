package io.rlstream.reward.verify;

import io.rlstream.reward.RewardServiceConfig;
import io.rlstream.reward.compose.OverlongPenalty;
import io.rlstream.reward.compose.RewardComposition;
import io.rlstream.reward.sandbox.PythonSandbox;
import io.rlstream.reward.sandbox.SandboxLimits;
import io.rlstream.reward.score.RewardScorer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * The verifiers by name, as {@code reward.verifier} names them, built with their settings; and
 * the scorer that combines the chosen verifier with the other reward components.
 */
public final class Verifiers {

    private Verifiers() {
    }

    public static List<String> names() {
        return List.of(NumericExactMatch.NAME, MathVerifier.NAME, ExactMatchVerifier.NAME, RegexVerifier.NAME,
                FormatVerifier.NAME, CodeVerifier.NAME, RewardModelClient.NAME);
    }

    /** A verifier that needs no settings beyond the two scores (the walking skeleton's API). */
    public static Verifier byName(String name, double correct, double incorrect) {
        return switch (name) {
            case NumericExactMatch.NAME -> new NumericExactMatch(correct, incorrect);
            case MathVerifier.NAME -> new MathVerifier(correct, incorrect);
            default -> throw new IllegalArgumentException("verifier '" + name + "' needs its settings (use create); "
                    + "known: " + names());
        };
    }

    /** The verifier {@code reward.verifier} names, with its settings. */
    public static Verifier create(RewardServiceConfig config) {
        String name = config.getString(RewardServiceConfig.VERIFIER);
        double correct = config.getDouble(RewardServiceConfig.CORRECT);
        double incorrect = config.getDouble(RewardServiceConfig.INCORRECT);
        return switch (name) {
            case NumericExactMatch.NAME -> new NumericExactMatch(correct, incorrect);
            case MathVerifier.NAME -> new MathVerifier(correct, incorrect);
            case ExactMatchVerifier.NAME -> new ExactMatchVerifier(config.getBoolean(RewardServiceConfig.EXACT_IGNORE_CASE),
                    correct, incorrect);
            case RegexVerifier.NAME -> new RegexVerifier(correct, incorrect);
            case FormatVerifier.NAME -> format(config);
            case CodeVerifier.NAME -> new CodeVerifier(new PythonSandbox(SandboxLimits.defaults()
                    .withWallClock(Duration.ofMillis(config.getLong(RewardServiceConfig.CODE_TIMEOUT_MS)))
                    .withCpuSeconds(config.getInt(RewardServiceConfig.CODE_CPU_SECONDS))
                    .withMemoryBytes(config.getInt(RewardServiceConfig.CODE_MEMORY_MB) * 1024L * 1024L)), correct, incorrect);
            case RewardModelClient.NAME -> new RewardModelClient(URI.create(config.getString(RewardServiceConfig.MODEL_URL)),
                    Duration.ofMillis(config.getLong(RewardServiceConfig.MODEL_TIMEOUT_MS)),
                    config.getInt(RewardServiceConfig.MODEL_ATTEMPTS), Duration.ofMillis(200));
            default -> throw new IllegalArgumentException("unknown verifier '" + name + "'; known: " + names());
        };
    }

    /** The configured verifier plus the format and overlong components the composition asks for. */
    public static RewardScorer scorer(RewardServiceConfig config, ExecutorService executor) {
        RewardComposition composition = RewardComposition.parse(config.getString(RewardServiceConfig.COMPONENTS));
        Verifier format = composition.weights().containsKey(RewardScorer.FORMAT) ? format(config) : null;
        OverlongPenalty overlong = composition.weights().containsKey(RewardScorer.OVERLONG)
                ? new OverlongPenalty(config.getInt(RewardServiceConfig.OVERLONG_MAX),
                        config.getInt(RewardServiceConfig.OVERLONG_BUFFER),
                        config.getDouble(RewardServiceConfig.OVERLONG_FACTOR))
                : null;
        return new RewardScorer(create(config), format, overlong, composition,
                Duration.ofMillis(config.getLong(RewardServiceConfig.VERIFIER_TIMEOUT_MS)), executor);
    }

    private static Verifier format(RewardServiceConfig config) {
        return new FormatVerifier(config.getString(RewardServiceConfig.FORMAT_OPEN),
                config.getString(RewardServiceConfig.FORMAT_CLOSE));
    }
}
