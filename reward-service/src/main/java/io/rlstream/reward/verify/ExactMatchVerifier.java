package io.rlstream.reward.verify;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Correct when the whole response equals the reference after light normalisation: Unicode NFC
 * (a composed and a decomposed "é" are one letter), leading and trailing whitespace removed, every
 * run of whitespace (spaces, tabs, newlines, no-break spaces) collapsed to one space, and, when
 * constructed with {@code ignoreCase}, lower-cased with {@link Locale#ROOT}. Nothing else: no
 * answer extraction, no punctuation or article stripping (SQuAD's {@code normalize_answer} does
 * those; use {@link MathVerifier} or {@link RegexVerifier} when the response carries more than
 * the answer).
 * This is lm-evaluation-harness's {@code exact_match} with {@code ignore_case} and no
 * {@code regexes_to_ignore}.
 *
 * <p>An empty response scores {@code incorrect}; a null or blank reference is a failed
 * verification. Pure and thread-safe.
 */
public final class ExactMatchVerifier implements Verifier {

    public static final String NAME = "exact";
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final int MAX_REASON_CHARS = 80;

    private final boolean ignoreCase;
    private final double correct;
    private final double incorrect;

    /** Case-sensitive. */
    public ExactMatchVerifier(double correct, double incorrect) {
        this(false, correct, incorrect);
    }

    public ExactMatchVerifier(boolean ignoreCase, double correct, double incorrect) {
        this.ignoreCase = ignoreCase;
        this.correct = correct;
        this.incorrect = incorrect;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Verification verify(String response, String reference) {
        if (reference == null || reference.isBlank()) {
            return Verification.failed("prompt has no reference answer");
        }
        String expected = normalize(reference);
        String actual = response == null ? "" : normalize(response);
        if (actual.isEmpty()) {
            return Verification.scored(incorrect, "", "empty response");
        }
        boolean equal = expected.equals(actual);
        return Verification.scored(equal ? correct : incorrect, clip(actual),
                equal ? "match" : "expected '" + clip(expected) + "'");
    }

    String normalize(String text) {
        String s = WHITESPACE.matcher(Normalizer.normalize(text, Normalizer.Form.NFC)).replaceAll(" ").strip();
        return ignoreCase ? s.toLowerCase(Locale.ROOT) : s;
    }

    private static String clip(String s) {
        return s.length() <= MAX_REASON_CHARS ? s : s.substring(0, MAX_REASON_CHARS) + "…";
    }
}
