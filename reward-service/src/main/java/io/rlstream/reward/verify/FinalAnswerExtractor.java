package io.rlstream.reward.verify;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the final answer in a model's response, trying in this order and taking the first that
 * yields a non-blank answer:
 *
 * <ol>
 *   <li>The LAST {@code \boxed{...}} or {@code \fbox{...}} (whichever comes later), braces matched
 *       by depth so {@code \boxed{\frac{1}{2}}} yields {@code \frac{1}{2}} (Hendrycks' MATH
 *       {@code last_boxed_only_string}; verl {@code math_dapo.last_boxed_only_string}); also the
 *       brace-less {@code \boxed 5}, up to the next {@code $} or line end (Hendrycks'
 *       {@code "\boxed "} case). A box that never closes, as in <code>\boxed{\frac{1}{2}</code> with
 *       the last brace missing or a response cut off by the token limit, yields the rest of its
 *       line (as Qwen2.5-Math's {@code extract_answer}, vendored in verl's {@code math.py}, keeps
 *       everything after <code>boxed{</code>); a truncated <code>\frac{1}{</code> then matches
 *       nothing.
 *       Empty boxes are skipped: they are usually the prompt's "put your answer in
 *       {@code \boxed{}}" echoed back.</li>
 *   <li>The last {@code #### x} whose x starts like a number ({@code #### 18}, {@code #### $1,080},
 *       {@code #### -3}), GSM8K's answer format (lm-evaluation-harness {@code gsm8k.yaml}:
 *       {@code "#### (\-?[0-9\.\,]+)"}; verl {@code gsm8k.extract_solution}); a Markdown heading
 *       such as {@code #### Step 2} is not an answer.</li>
 *   <li>The last "the answer is x", "final answer: x", "Answer: x", "**Answer:** x"
 *       (case-insensitive), x running to the end of its sentence: a newline, or a {@code .},
 *       {@code !} or {@code ?} followed by a space or the end, so the decimal point in 3.5 does not
 *       end it (lm-evaluation-harness {@code gsm8k-cot.yaml} strict match
 *       {@code "The answer is (\-?[0-9\.\,]+)."}; Minerva's "Final Answer: The final answer is x.
 *       I hope it is correct."). Markdown bold around x is removed.</li>
 * </ol>
 * In 2 and 3, a sentence that opens with a plain number followed by prose is answered by the
 * number ({@code #### 18 eggs}, "The answer is 18 because ..."), unless the next word joins a
 * second answer ("5 or 6", "3 and 4") or an "or" follows ("18 eggs or 19 eggs"): a hedge must
 * not earn credit.
 * <ol start="4">
 *   <li>The last number in the text ({@code 1,080}, {@code -5}, {@code 3.25}, {@code 3/4},
 *       {@code 6.02e23}); a minus sign counts only when it is not a subtraction
 *       ({@code 10-5} and {@code 10 - 5} yield {@code 5}, {@code x = -5} yields {@code -5}) (lm-evaluation-harness flexible-extract; verl
 *       {@code gsm8k} "flexible").</li>
 * </ol>
 *
 * <p>Only the last {@value #MAX_SCAN_CHARS} characters are read (the answer is at the end, and it
 * bounds the work per response); the answer itself is cut at {@value #MAX_ANSWER_CHARS}. Every
 * scan is linear: no regular expression here can backtrack catastrophically.
 */
final class FinalAnswerExtractor {

    static final int MAX_SCAN_CHARS = 10_000;
    static final int MAX_ANSWER_CHARS = 1_000;
    private static final int MAX_BOXES_TRIED = 32;
    private static final int MAX_SENTENCE_CHARS = 300;

    private static final Pattern ANSWER_PHRASE =
            Pattern.compile("\\banswer(?:\\*\\*)?(?:\\s+is\\b|\\s*:)", Pattern.CASE_INSENSITIVE);
    /*
     * A number, with a minus sign only when the character before the sign is not part of an
     * operand (10-5, 10 - 5, (3)-1 are subtractions). The cheap checks come first (a '-' or a
     * digit), so the lookbehinds run only where a number can start.
     */
    private static final Pattern NUMBER = Pattern.compile(
            "(?:-(?<![\\w.)\\]}]-)(?<![\\d.)\\]}]\\s{1,8}-))?(?=\\d)(?<![\\w.])"
                    + "(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?(?:[eE][-+]?\\d{1,4})?(?:/\\d+)?");

    private static final Pattern NUMBER_THEN_WORD =
            Pattern.compile("(\\\\?\\$?-?\\d[\\d,]*(?:\\.\\d+)?(?:/\\d+)?)\\s+([A-Za-z]{2,})\\b");
    private static final Pattern OR = Pattern.compile("\\bor\\b", Pattern.CASE_INSENSITIVE);

    private FinalAnswerExtractor() {
    }

    static Optional<String> extract(String response) {
        if (response == null || response.isEmpty()) {
            return Optional.empty();
        }
        String text = response.length() > MAX_SCAN_CHARS
                ? response.substring(response.length() - MAX_SCAN_CHARS)
                : response;
        String answer = lastBoxed(text);
        if (answer == null) {
            answer = lastHashes(text);
        }
        if (answer == null) {
            answer = lastAnswerPhrase(text);
        }
        if (answer == null) {
            answer = lastNumber(text);
        }
        return Optional.ofNullable(answer).map(FinalAnswerExtractor::cap);
    }

    /**
     * The final answer of a reference: its last box (a MATH solution), else what follows its last
     * {@code ####} (a GSM8K answer field), else the whole reference.
     */
    static String fromReference(String reference) {
        String boxed = lastBoxed(reference);
        if (boxed != null) {
            return boxed;
        }
        if (reference.contains("\\boxed") || reference.contains("\\fbox")) {
            return ""; // only empty boxes: the reference is broken, not the response
        }
        int hashes = reference.lastIndexOf("####");
        if (hashes >= 0 && !reference.substring(hashes + 4).isBlank()) {
            return reference.substring(hashes + 4).strip();
        }
        return reference.strip();
    }

    static String lastBoxed(String text) {
        int from = text.length();
        for (int tries = 0; tries < MAX_BOXES_TRIED && from > 0; tries++) {
            int boxed = text.lastIndexOf("\\boxed", from - 1);
            int fbox = text.lastIndexOf("\\fbox", from - 1);
            int at = Math.max(boxed, fbox);
            if (at < 0) {
                return null;
            }
            int i = at + (at == boxed ? "\\boxed".length() : "\\fbox".length());
            String content = null;
            if (i < text.length() && text.charAt(i) == '{') {
                int close = LatexScan.closingBrace(text, i);
                content = close >= 0 ? text.substring(i + 1, close) : restOfLine(text, i + 1);
            } else if (i < text.length() && text.charAt(i) == ' ') {
                content = untilDollarOrLineEnd(text, i + 1);
            }
            if (content != null && !content.isBlank()) {
                return content.strip();
            }
            from = at;
        }
        return null;
    }

    private static String restOfLine(String text, int start) {
        int newline = text.indexOf('\n', start);
        return text.substring(start, newline < 0 ? text.length() : newline);
    }

    private static String untilDollarOrLineEnd(String text, int start) {
        String line = restOfLine(text, start);
        int dollar = line.indexOf('$');
        return dollar < 0 ? line : line.substring(0, dollar);
    }

    static String lastHashes(String text) {
        int from = text.length();
        for (int tries = 0; tries < MAX_BOXES_TRIED && from > 0; tries++) {
            int at = text.lastIndexOf("####", from - 1);
            if (at < 0) {
                return null;
            }
            int i = at + 4;
            while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
                i++;
            }
            if (i < text.length() && startsLikeNumber(text.charAt(i))) {
                String sentence = sentence(text, i);
                if (!sentence.isBlank()) {
                    return numberBeforeProse(sentence);
                }
            }
            from = at;
        }
        return null;
    }

    private static boolean startsLikeNumber(char c) {
        return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == '$' || c == '\\' || c == '\u2212';
    }

    static String lastAnswerPhrase(String text) {
        Matcher m = ANSWER_PHRASE.matcher(text);
        int end = -1;
        while (m.find()) {
            end = m.end();
        }
        if (end < 0) {
            return null;
        }
        String sentence = sentence(text, end);
        return sentence.isBlank() ? null : numberBeforeProse(sentence);
    }

    /**
     * "18 because 16 - 3 - 4 = 9 ..." → "18": a sentence that opens with a plain number followed
     * by a word is answered by that number, as lm-evaluation-harness's strict match takes the
     * number after "The answer is". Not when the word joins a second answer ("5 or 6", "3 and 4")
     * or scales the number ("5 million"), nor when an "or" follows anywhere in the sentence
     * ("18 eggs or 19 eggs"), so a hedge never earns credit; nor when it is a one-letter variable
     * ("2 x").
     */
    static String numberBeforeProse(String sentence) {
        Matcher m = NUMBER_THEN_WORD.matcher(sentence);
        if (m.lookingAt() && !MathAnswerNormalizer.NOT_UNITS.contains(m.group(2).toLowerCase(Locale.ROOT))
                && !OR.matcher(sentence).find(m.end(1))) {
            return m.group(1);
        }
        return sentence;
    }

    /**
     * From {@code start}, past leading spaces, colons and Markdown bold, to the end of the
     * sentence; Markdown bold at the end is dropped.
     */
    private static String sentence(String text, int start) {
        int i = start;
        while (i < text.length() && (Character.isWhitespace(text.charAt(i)) || text.charAt(i) == ':'
                || text.charAt(i) == '*')) {
            i++;
        }
        int begin = i;
        int limit = Math.min(text.length(), begin + MAX_SENTENCE_CHARS);
        while (i < limit) {
            char c = text.charAt(i);
            if (c == '\n') {
                break;
            }
            if ((c == '.' || c == '!' || c == '?')
                    && (i + 1 == text.length() || Character.isWhitespace(text.charAt(i + 1)) || text.charAt(i + 1) == '*')) {
                break;
            }
            i++;
        }
        int stop = i;
        while (stop > begin && (text.charAt(stop - 1) == '*' || Character.isWhitespace(text.charAt(stop - 1)))) {
            stop--;
        }
        return text.substring(begin, stop);
    }

    static String lastNumber(String text) {
        Matcher m = NUMBER.matcher(text.replace('\u2212', '-'));
        String last = null;
        while (m.find()) {
            last = m.group();
        }
        return last;
    }

    private static String cap(String answer) {
        return answer.length() > MAX_ANSWER_CHARS ? answer.substring(0, MAX_ANSWER_CHARS) : answer;
    }
}
