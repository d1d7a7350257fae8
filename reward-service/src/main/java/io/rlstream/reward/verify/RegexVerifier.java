package io.rlstream.reward.verify;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The reference answer is a Java regular expression; it is judged against the response in one of
 * two ways, chosen at construction:
 *
 * <ul>
 *   <li>{@link #RegexVerifier(double, double)}: correct when the reference pattern is found
 *       anywhere in the response ({@link Matcher#find()}). Reference {@code (?i)\bparis\b}
 *       accepts "The capital is Paris."; anchor it ({@code ^...$}) to demand the whole response.</li>
 *   <li>{@link #RegexVerifier(String, double, double)}: an answer pattern with a capture group,
 *       fixed for the task (e.g. {@code Answer:\s*(\S+)}), takes the answer from its LAST match in
 *       the response, group 1; correct when the reference pattern matches that whole answer
 *       ({@link Matcher#matches()}). Reference {@code 4[02]} accepts "Answer: 42" and rejects
 *       "Answer: 420". No match of the answer pattern scores {@code incorrect}, "no answer
 *       found", as lm-evaluation-harness's {@code regex} filter falls back to "[invalid]".</li>
 * </ul>
 * Flags go inline in the pattern ({@code (?i)}, {@code (?s)}, {@code (?m)}).
 *
 * <p>Bounded time: references are data, written by many hands, and a pattern such as
 * {@code (a+)+b} backtracks exponentially. Only the last {@value #MAX_INPUT_CHARS} characters of
 * a response are matched, and they are read through a {@link CharSequence} that counts character
 * reads and stops the match after {@value #DEFAULT_MAX_CHAR_READS} (about 0.15 s on one core; a
 * linear pattern reads each character a few times, so 10,000 characters take some 50,000 reads). A match stopped so, or one that overflows the
 * stack (Java's regex engine recurses per repetition of an alternation, as in {@code (a|b)*}), is
 * a failed verification naming the pattern: the check could not be made, and the pattern needs
 * fixing. Note that an unanchored pattern starting with {@code .*} is quadratic under
 * {@code find}; drop the {@code .*}, {@code find} does not need it. An invalid reference pattern
 * is a failed verification; a null or blank reference too. Pure and thread-safe; the reference
 * is compiled on each call.
 */
public final class RegexVerifier extends CorrectnessVerifier {

    public static final String NAME = "regex";
    static final int MAX_INPUT_CHARS = 10_000;
    static final long DEFAULT_MAX_CHAR_READS = 20_000_000L;

    private final Pattern answerPattern;
    private final long maxCharReads;

    /** The reference pattern must be found in the response. */
    public RegexVerifier(double correct, double incorrect) {
        this(null, DEFAULT_MAX_CHAR_READS, correct, incorrect);
    }

    /**
     * The reference pattern must match the whole group 1 of the last match of {@code answerPattern}.
     *
     * @throws IllegalArgumentException if {@code answerPattern} is invalid or has no capture group
     */
    public RegexVerifier(String answerPattern, double correct, double incorrect) {
        this(compileAnswerPattern(answerPattern), DEFAULT_MAX_CHAR_READS, correct, incorrect);
    }

    RegexVerifier(Pattern answerPattern, long maxCharReads, double correct, double incorrect) {
        super(NAME, correct, incorrect);
        this.answerPattern = answerPattern;
        this.maxCharReads = maxCharReads;
    }

    static Pattern compileAnswerPattern(String answerPattern) {
        if (answerPattern == null) {
            throw new IllegalArgumentException("answer pattern is null; use RegexVerifier(correct, incorrect) to"
                    + " find the reference pattern in the whole response");
        }
        Pattern p = Pattern.compile(answerPattern);
        if (p.matcher("").groupCount() < 1) {
            throw new IllegalArgumentException("answer pattern '" + answerPattern
                    + "' has no capture group; put the answer in (...), e.g. Answer:\\s*(\\S+)");
        }
        return p;
    }

    @Override
    public Verification verify(String response, String reference) {
        if (reference == null || reference.isBlank()) {
            return Verification.failed("prompt has no reference answer");
        }
        Pattern expected;
        try {
            expected = Pattern.compile(reference);
        } catch (PatternSyntaxException e) {
            return Verification.failed("reference '" + clip(reference) + "' is not a valid regular expression: "
                    + e.getDescription() + " near index " + e.getIndex());
        }
        String text = response == null ? "" : response;
        if (text.length() > MAX_INPUT_CHARS) {
            text = text.substring(text.length() - MAX_INPUT_CHARS);
        }
        Pattern running = answerPattern;
        try {
            if (answerPattern == null) {
                running = expected;
                Matcher m = expected.matcher(new BoundedChars(text, maxCharReads));
                boolean found = m.find();
                return judged(found, found ? clip(m.group()) : "",
                        found ? "found /" + clip(reference) + "/" : "/" + clip(reference) + "/ not found");
            }
            Matcher m = answerPattern.matcher(new BoundedChars(text, maxCharReads));
            String answer = null;
            while (m.find()) {
                if (m.group(1) != null) {
                    answer = m.group(1);
                }
            }
            if (answer == null) {
                return wrong("", "no answer found");
            }
            running = expected;
            boolean equal = expected.matcher(new BoundedChars(answer, maxCharReads)).matches();
            return judged(equal, clip(answer),
                    equal ? "matches /" + clip(reference) + "/" : "does not match /" + clip(reference) + "/");
        } catch (ReadBudgetExceeded e) {
            return Verification.failed("pattern /" + clip(running.pattern()) + "/ stopped after " + maxCharReads
                    + " character reads on " + text.length() + " characters: it backtracks catastrophically;"
                    + " simplify it (no nested quantifiers such as (a+)+)");
        } catch (StackOverflowError e) {
            return Verification.failed("pattern /" + clip(running.pattern()) + "/ overflowed the stack on "
                    + text.length() + " characters: replace a repeated alternation such as (a|b)* with a"
                    + " character class [ab]*");
        }
    }

    /** Thrown from {@link BoundedChars#charAt} when a match has read too many characters. */
    private static final class ReadBudgetExceeded extends RuntimeException {
        ReadBudgetExceeded() {
            super(null, null, false, false);
        }
    }

    /**
     * The text a matcher reads, counting every character read and throwing once the budget is
     * spent: the regex engine reads only through {@code charAt}, so this bounds its work.
     */
    private static final class BoundedChars implements CharSequence {
        private final String text;
        private long budget;

        BoundedChars(String text, long budget) {
            this.text = text;
            this.budget = budget;
        }

        @Override
        public char charAt(int index) {
            if (--budget < 0) {
                throw new ReadBudgetExceeded();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.substring(start, end);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * Bounded: every match reads at most its budget of characters (maxCharReads), so a pattern that backtracks
     * catastrophically fails instead of hanging.
     */
    @Override
    public boolean bounded() {
        return true;
    }
}
