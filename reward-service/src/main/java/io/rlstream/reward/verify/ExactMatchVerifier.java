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
public final class ExactMatchVerifier extends CorrectnessVerifier {

    public static final String NAME = "exact";
    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);

    private final boolean ignoreCase;

    /** Case-sensitive. */
    public ExactMatchVerifier(double correct, double incorrect) {
        this(false, correct, incorrect);
    }

    public ExactMatchVerifier(boolean ignoreCase, double correct, double incorrect) {
        super(NAME, correct, incorrect);
        this.ignoreCase = ignoreCase;
    }

    @Override
    public Verification verify(String response, String reference) {
        if (reference == null || reference.isBlank()) {
            return Verification.failed("prompt has no reference answer");
        }
        String expected = normalize(reference);
        String actual = response == null ? "" : normalize(response);
        if (actual.isEmpty()) {
            return wrong("", "empty response");
        }
        boolean equal = expected.equals(actual);
        return judged(equal, clip(actual),
                equal ? "match" : "expected '" + clip(expected) + "'");
    }

    String normalize(String text) {
        String s = WHITESPACE.matcher(Normalizer.normalize(text, Normalizer.Form.NFC)).replaceAll(" ").strip();
        return ignoreCase ? s.toLowerCase(Locale.ROOT) : s;
    }

    /**
     * Bounded: string comparison after normalisation, linear in the response.
     */
    @Override
    public boolean bounded() {
        return true;
    }
}
