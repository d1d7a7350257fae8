package io.rlstream.reward.verify;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Correct when the last number in the response equals the reference answer as an exact decimal
 * ({@code 85}, {@code 85.0} and {@code +85} are equal; no floating-point tolerance). The
 * walking-skeleton verifier for the addition task; the full math verifier (boxed answers, LaTeX,
 * fractions) follows docs/algorithms.md#verifiers.
 *
 * <p>A response with no number scores {@code incorrect}: the policy answered, badly. A reference
 * that is not a number is a failed verification, because the check cannot be made.
 */
public final class NumericExactMatch extends CorrectnessVerifier {

    public static final String NAME = "numeric-exact";
    private static final Pattern NUMBER = Pattern.compile("[-+]?\\d+(?:\\.\\d+)?");

    public NumericExactMatch(double correct, double incorrect) {
        super(NAME, correct, incorrect);
    }

    @Override
    public Verification verify(String response, String reference) {
        if (reference == null || reference.isBlank()) {
            return Verification.failed("prompt has no reference answer");
        }
        BigDecimal expected;
        try {
            expected = new BigDecimal(reference.trim());
        } catch (NumberFormatException e) {
            return Verification.failed("reference answer '" + reference + "' is not a number");
        }
        String last = lastNumber(response == null ? "" : response);
        if (last == null) {
            return wrong("", "no number in response");
        }
        boolean equal = new BigDecimal(last).compareTo(expected) == 0;
        return judged(equal, last, equal ? "match" : "expected " + reference.trim());
    }

    static String lastNumber(String text) {
        Matcher m = NUMBER.matcher(text);
        String last = null;
        while (m.find()) {
            last = m.group();
        }
        return last;
    }

    /**
     * Bounded: one number parsed from the response, linear in its length.
     */
    @Override
    public boolean bounded() {
        return true;
    }
}
