package io.rlstream.reward.verify;

import java.util.Optional;

/**
 * Rule-based correctness for math word problems (GSM8K) and competition math (MATH), per
 * docs/algorithms.md#verifiers: extract the final answer, normalise both it and the reference, and compare
 * them exactly, as rational numbers where both sides are numbers and as canonical strings
 * otherwise. Scores {@code correct} when they are equal, {@code incorrect} otherwise.
 *
 * <ul>
 *   <li>Extraction ({@link #extractAnswer}): the last {@code \boxed{…}}/{@code \fbox{…}}, else the
 *       last {@code #### x}, else the last "the answer is x"/"Answer: x", else the last number;
 *       the rules and their sources are on {@link FinalAnswerExtractor}.</li>
 *   <li>Normalisation: Hendrycks et al.'s MATH {@code strip_string} ({@code is_equiv}) plus
 *       Minerva's and Qwen2.5-Math's additions, as vendored in verl's {@code reward_score}
 *       ({@code math.py}, {@code math_dapo.py}, {@code prime_math}); every rule and the answer pair
 *       that motivated it is on {@link MathAnswerNormalizer}.</li>
 *   <li>Comparison: when both normalised sides parse as exact rationals ({@link ExactRational}:
 *       integers, decimals, {@code a/b}, {@code \frac{a}{b}}, scientific notation), they are
 *       compared with {@code BigInteger} arithmetic and no tolerance, so {@code 0.75} =
 *       {@code \frac{3}{4}} = {@code 3/4} but {@code 1000} ≠ {@code 100.0} and {@code 0.3333} ≠
 *       {@code \frac{1}{3}}. Otherwise the canonical strings must be equal, so
 *       {@code \frac{\sqrt{3}}{2}} = {@code \dfrac{\sqrt3}{2}} but {@code 2\sqrt{2}} ≠
 *       {@code \sqrt{8}}: there is no symbolic algebra (verl's {@code math_verify} uses sympy for
 *       that; a string rule never says "equal" wrongly, it only misses some equalities).</li>
 * </ul>
 *
 * <p>A reference may be a bare answer ({@code 18}, {@code \frac{3}{4}}) or a whole solution: a
 * MATH solution is reduced to its last box and a GSM8K answer field to what follows {@code ####}.
 * A null or blank reference, or one that normalises to nothing, is a failed verification: the
 * check cannot be made. A response with no extractable answer scores {@code incorrect} with reason
 * "no answer found": the policy answered, badly. Malformed LaTeX never throws, and the work per
 * response is linear in at most its last 10,000 characters. Pure and thread-safe.
 */
public final class MathVerifier extends CorrectnessVerifier {

    public static final String NAME = "math";
    private static final int MAX_REASON_CHARS = 120;

    public MathVerifier(double correct, double incorrect) {
        super(NAME, correct, incorrect);
    }

    /** The final answer as written in the response (not normalised), or empty when there is none. */
    public static Optional<String> extractAnswer(String response) {
        return FinalAnswerExtractor.extract(response);
    }

    @Override
    public Verification verify(String response, String reference) {
        if (reference == null || reference.isBlank()) {
            return Verification.failed("prompt has no reference answer");
        }
        String expected = MathAnswerNormalizer.normalize(FinalAnswerExtractor.fromReference(reference));
        if (expected.isEmpty()) {
            return Verification.failed("reference answer '" + clip(reference, MAX_REASON_CHARS)
                    + "' is empty after normalisation; fix the prompt's reference");
        }
        Optional<String> extracted = extractAnswer(response);
        if (extracted.isEmpty()) {
            return wrong("", "no answer found");
        }
        String answer = extracted.get();
        String actual = MathAnswerNormalizer.normalize(answer);
        if (actual.isEmpty()) {
            return wrong(answer, "no answer found");
        }
        Optional<ExactRational> expectedValue = ExactRational.parse(expected);
        Optional<ExactRational> actualValue = expectedValue.isPresent() ? ExactRational.parse(actual) : Optional.empty();
        if (expectedValue.isPresent() && actualValue.isPresent()) {
            boolean equal = expectedValue.get().equals(actualValue.get());
            return judged(equal, answer, equal
                    ? "equal as numbers"
                    : "expected " + clip(expected, MAX_REASON_CHARS) + " (= "
                            + clip(expectedValue.get().toString(), MAX_REASON_CHARS) + "), got "
                            + clip(actual, MAX_REASON_CHARS) + " (= " + clip(actualValue.get().toString(), MAX_REASON_CHARS)
                            + ")");
        }
        boolean equal = expected.equals(actual);
        return judged(equal, answer, equal
                ? "equal after normalisation"
                : "expected " + clip(expected, MAX_REASON_CHARS) + ", got " + clip(actual, MAX_REASON_CHARS));
    }

    /**
     * Bounded: answers over MathAnswerNormalizer.MAX_ANSWER_CHARS, exponents over ExactRational.MAX_EXPONENT and
     * nesting over its depth are refused.
     */
    @Override
    public boolean bounded() {
        return true;
    }
}
