package io.rlstream.reward.verify;

import io.rlstream.algorithm.AlgorithmFamily;
import io.rlstream.reward.sandbox.PythonSandbox;
import java.net.URI;
import java.time.Duration;

/**
 * The verifiers by name, as {@code reward.verifier} names them, built from {@link VerifierSettings}.
 * Adding one is one class plus one line here (and its test).
 */
public final class Verifiers {

    /** The backoff of the reward model's first retry, doubled for each further one. */
    private static final Duration MODEL_BACKOFF = Duration.ofMillis(200);

    /** Every verifier. */
    public static final AlgorithmFamily<VerifierSettings, Verifier> FAMILY =
            AlgorithmFamily.<VerifierSettings, Verifier>builder("verifiers", "reward.verifier",
                            "score a response against the prompt's reference answer", "verifiers")
                    .add(NumericExactMatch.NAME, "last number of the response = reference, as exact decimals",
                            "exact match (the addition task)", NumericExactMatch.class,
                            s -> new NumericExactMatch(s.correct(), s.incorrect()))
                    .add(MathVerifier.NAME, "norm(final answer) = norm(reference), as exact rationals or strings",
                            "Hendrycks et al. 2021 (MATH) is_equiv; verl reward_score math", MathVerifier.class,
                            s -> new MathVerifier(s.correct(), s.incorrect()))
                    .add(ExactMatchVerifier.NAME, "NFC(response) = NFC(reference), whitespace collapsed",
                            "lm-evaluation-harness exact_match", ExactMatchVerifier.class,
                            s -> new ExactMatchVerifier(s.exactIgnoreCase(), s.correct(), s.incorrect()))
                    .add(RegexVerifier.NAME, "the reference pattern is found in the response",
                            "lm-evaluation-harness regex filter", RegexVerifier.class,
                            s -> new RegexVerifier(s.correct(), s.incorrect()))
                    .add(FormatVerifier.NAME, "exactly one non-empty <answer>...</answer> pair",
                            "DeepSeek-AI 2025 (DeepSeek-R1) format reward, arXiv 2501.12948", FormatVerifier.class,
                            VerifierSettings::formatVerifier)
                    .add(CodeVerifier.NAME, "program + tests exit 0 in the sandbox",
                            "Austin et al. 2021 (MBPP) assert tests, arXiv 2108.07732", CodeVerifier.class,
                            s -> new CodeVerifier(new PythonSandbox(s.codeLimits()), s.correct(), s.incorrect()))
                    .add(RewardModelClient.NAME, "score = RM(prompt, response, reference) over HTTP",
                            "a reward model served over HTTP", RewardModelClient.class,
                            s -> new RewardModelClient(URI.create(s.modelUrl()), s.modelTimeout(), s.modelAttempts(),
                                    MODEL_BACKOFF))
                    .build();

    private Verifiers() {
    }
}
